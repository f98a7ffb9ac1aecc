// `sluice start` as a real child process (what an operator runs), ready once /health answers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './gateway.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLUICE_BIN = path.join(root, 'bin/sluice.js');

export interface SluiceProcess {
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** Starts `sluice start ARGS` and waits until `probeUrl` answers 200. */
export async function startSluiceProcess(args: string[], probeUrl: string, env: Record<string, string> = {}): Promise<SluiceProcess> {
  const output: string[] = [];
  const child = spawn(process.execPath, [SLUICE_BIN, 'start', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  for (const deadline = Date.now() + 20_000; ;) {
    try { if ((await fetch(probeUrl)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`sluice did not start:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** One gateway instance of a multi-instance test: `sluice start --config FILE` on a free port. */
export interface Instance { url: string; child: ChildProcess; output: string[] }

export async function startInstance(config: string): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = await startSluiceProcess(['--config', config, '--port', String(port)], `${url}/health`);
  return { url, child, output };
}
