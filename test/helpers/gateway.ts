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

/** A port free on `host` right now (closed again before returning: another process may take it before it is used). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(0, host, () => resolve()); });
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
