// Shared by the auth integration tests: the real CLI as a child process, the same commands
// in-process for setting a test up, and the gateway config.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sluiceInProcess } from '../cli/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SLUICE_BIN = path.join(root, 'bin/sluice.js');

export interface CliResult { code: number; stdout: string; stderr: string }

/** `node bin/sluice.js ARGS` with its exit code and output. */
export function sluice(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SLUICE_BIN, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The same command through main() in this process: what sets a test up (users, teams, keys) without
 * a Node start-up each (~0.5-1 s of CPU). The tests of the binary itself use `sluice`.
 */
async function sluiceHere(args: string[]): Promise<CliResult> {
  const r = await sluiceInProcess(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface CreatedKey { id: string; key: string; user: string; [field: string]: unknown }

/** Creates a key with the CLI (`key create --json`), as an operator would. */
export async function cliKey(config: string, ...args: string[]): Promise<CreatedKey> {
  const r = await sluiceHere(['key', 'create', ...args, '--json', '--config', config]);
  if (r.code !== 0) throw new Error(`key create failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CreatedKey;
}

export async function cli(config: string, ...args: string[]): Promise<CliResult> {
  const r = await sluiceHere([...args, '--config', config]);
  if (r.code !== 0) throw new Error(`sluice ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** A chain with auth first; `storage` is the YAML of the storage section's body. */
export function authConfig(opts: { auth?: string; storage?: string; router?: string; providers?: string; admin?: string; server?: string } = {}): string {
  return `server:
${opts.server ?? '  shutdown_grace_ms: 200'}
storage:
${opts.storage ?? '  database: "sqlite:./sluice.db"'}
logging: { level: debug }
${opts.admin ? `admin: { key: "${opts.admin}" }\n` : ''}providers:
  local: { type: loopback }
${opts.providers ?? ''}
chain:
  - use: auth
    with: ${opts.auth ?? '{ mode: api_key }'}
  - use: router
    with: ${opts.router ?? '{ default: local }'}
  - use: translator
`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is true; resolves to the elapsed ms, or throws after `ms`. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}
