// `sluice start` as a real child process (what an operator runs), ready once /health answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './gateway.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLUICE_BIN = path.join(root, 'bin/sluice.js');

export interface SluiceProcess {
  child: ChildProcess;
  output: string[];
  /** The child's exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** SIGTERM, and the exit. */
  stop(): Promise<void>;
}

/**
 * Whether process `pid` holds the socket listening on TCP `port` (Linux: /proc; elsewhere assumed).
 * Ports come from a free-port probe that closes before the gateway binds, and mocha's other worker
 * may take the same port meanwhile: its gateway then answers this probe (seen: a stream from
 * another test's mock), while this child fails to bind and exits.
 */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (!existsSync('/proc/self/fd')) return true;
  if (pid === undefined || !existsSync(`/proc/${pid}/fd`)) return false; // gone (or not started)
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/); // sl, local address, remote address, state (0A: LISTEN), …, inode (10th)
      if (cols.length > 9 && cols[1]!.endsWith(hex) && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket && inodes.has(socket[1]!)) return true;
    } catch { /* closed meanwhile */ }
  }
  return false;
}

/** Starts `sluice start ARGS` and waits until `probeUrl` answers 200 from this child (not a process that took its port). */
export async function startSluiceProcess(args: string[], probeUrl: string, env: Record<string, string> = {}): Promise<SluiceProcess> {
  const output: string[] = [];
  const child = spawn(process.execPath, [SLUICE_BIN, 'start', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Generous: a start took 3.5–8.5 s at load 13 on two cores, and one in a full run under load
  // printed nothing in 20 s; a start that fails says so at once (the child exits).
  for (const deadline = Date.now() + 60_000; ;) {
    try { if ((await fetch(probeUrl)).ok && listensOn(child.pid, Number(new URL(probeUrl).port))) break; } catch { /* not yet */ }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`sluice did not start:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, output, exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `start(port)` on a free port, and on another if that one was taken before the gateway bound it
 * (mocha's other worker picks ports too): the child then fails with EADDRINUSE.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= 3 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

/** One gateway instance of a multi-instance test: `sluice start --config FILE` on a free port. */
export interface Instance { url: string; child: ChildProcess; output: string[] }

export function startInstance(config: string): Promise<Instance> {
  return onFreePort(async (port) => {
    const url = `http://127.0.0.1:${port}`;
    const { child, output } = await startSluiceProcess(['--config', config, '--port', String(port)], `${url}/health`);
    return { url, child, output };
  });
}
