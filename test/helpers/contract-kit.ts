// Shared pieces of the plugin-contract tests (test/integration/contract-*.test.ts): a passthrough
// gateway in front of one recording upstream per family, the access log lines, and polling.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestGateway } from './gateway.js';
import { GENERATE, type GenProtocol } from './translation-rig.js';
import { upstreamProviders } from './translation-rig.js';

/** bin/sluice.js of this checkout (tests run from dist/test/helpers). */
export const SLUICE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

/** The model-name prefix routed to the provider speaking each protocol (passthrough, no renaming). */
export const PREFIX: Record<GenProtocol, string> = {
  'openai.chat': 'chat-', 'openai.responses': 'resp-', 'anthropic.messages': 'claude-', 'gemini.generate': 'gemini-',
};
const PROVIDER: Record<GenProtocol, string> = {
  'openai.chat': 'up-chat', 'openai.responses': 'up-responses', 'anthropic.messages': 'up-anthropic', 'gemini.generate': 'up-gemini',
};

/** A model name that reaches the upstream in protocol `p`. */
export function modelIn(p: GenProtocol, name = 'x'): string {
  return `${PREFIX[p]}${name}`;
}

/** `providers:` entries for a recording upstream at `origin` (see translation-rig's upstreamProviders). */
export function familyProviders(origin: string): string {
  return upstreamProviders(origin);
}

/** A router chain entry sending each prefix to its family's provider, passthrough only; embeddings too. */
export function familyRouter(): string {
  return [
    '  - use: router',
    '    with:',
    '      mode: passthrough',
    '      routes:',
    ...GENERATE.map((p) => `        - { match: "${PREFIX[p]}*", provider: ${PROVIDER[p]} }`),
    '        - { match: "embed-openai*", provider: up-chat }',
    '        - { match: "embed-gemini*", provider: up-gemini }',
    '      default: local',
  ].join('\n');
}

export interface RequestLine {
  msg: string;
  request_id?: string;
  endpoint?: string;
  status?: number;
  outcome?: string;
  error?: string;
  client?: string;
  model?: string;
  [key: string]: unknown;
}

/** The gateway's access-log lines so far. */
export function requestLines(gw: TestGateway): RequestLine[] {
  return gw.logs.map((l) => JSON.parse(l) as RequestLine).filter((l) => l.msg === 'request');
}

/** Polls `probe` until it returns something other than undefined (request lines are written when the response closes). */
export async function waitFor<T>(probe: () => T | undefined, what: string, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The access-log line of the request with this id, once it is written. */
export function logLineFor(gw: TestGateway, requestId: string): Promise<RequestLine> {
  return waitFor(() => requestLines(gw).find((l) => l.request_id === requestId), `the request line of ${requestId}`);
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `node bin/sluice.js …` as a child without blocking this process (an in-process gateway keeps serving). */
export function runSluice(args: string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env['SLUICE_CONFIG'];
    const child = spawn(process.execPath, [SLUICE_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
