// Starts the real gateway in-process on a random port from a YAML config written to a temp dir.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createGateway, type Gateway } from '../../core/app.js';
import { loadConfigFile } from '../../core/config/load.js';
import { createLogger, type Logger } from '../../core/observability/logger.js';
import { listen, type RunningServer } from '../../core/server.js';

export interface TestGateway {
  url: string;
  dir: string;
  gateway: Gateway;
  running: RunningServer;
  logs: string[];
  close(): Promise<void>;
}

export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startGateway(yaml: string, opts: { dir?: string; files?: Record<string, string> } = {}): Promise<TestGateway> {
  const dir = opts.dir ?? tempDir();
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(path.join(dir, name), content);
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, yaml);
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'debug', write: (l) => { logs.push(l); } });
  const gateway = await createGateway(await loadConfigFile(file), { logger, checkChain: true });
  const running = await listen(gateway, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${running.port}`, dir, gateway, running, logs, close: () => running.shutdown('test') };
}

/**
 * A server section to end a test's own YAML with (appended, so the lines a test asserts on keep
 * their numbers). Without it shutdown_grace_ms is the default 10 s, and close() leaves the test
 * client's idle keep-alive connection open for half of it (CLOSING_MS: the moment a proxy is given
 * to close its own): 5 s of waiting after a test that is not about shutdown.
 */
export const QUICK_SHUTDOWN = 'server: { shutdown_grace_ms: 200 }\n';

/** The minimal config: a loopback provider plus optional extra providers and chain entries. */
export function config(parts: { providers?: string; chain?: string; server?: string } = {}): string {
  return `server:\n${parts.server ?? '  shutdown_grace_ms: 200\n'}
storage:
  database: "sqlite::memory:"
logging: { level: debug }
providers:
  local: { type: loopback }
${parts.providers ?? ''}
chain:
${parts.chain ?? '  - use: router\n    with: { default: local }'}
`;
}

/**
 * Ports handed out come from below Linux's ephemeral range (32768–60999), where the port-0 listeners
 * and outgoing connections of mocha's other worker never land, drawn at random so the two workers'
 * picks rarely meet, and never twice in one process. A port is free when handed out, but closed
 * again: callers that spawn a gateway on it still check that their own child holds it
 * (sluice-process.ts) and retry on another after EADDRINUSE.
 */
const PORTS_FROM = 20_000;
const PORTS = 12_000;
const handedOut = new Set<number>();

/** A port free on `host` right now (closed again before returning: another process may take it before it is used). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORTS_FROM + Math.floor(Math.random() * PORTS);
    if (handedOut.has(port)) continue;
    if (!(await canListen(port, host))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on ${host} in ${PORTS_FROM}–${PORTS_FROM + PORTS - 1}`);
}

function canListen(port: number, host: string): Promise<boolean> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}
