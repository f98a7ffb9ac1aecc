// A real `sluice start` process for the reload tests (SIGHUP, the config file watch): two mock
// upstreams that say which one answered ("from A", "from B"), the process's JSON log lines as they
// come, a request that returns whose answer it got, and a poll for a log line or a state.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from './mock-upstream.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

export interface LogLine { msg: string; level: string; url?: string; error?: string; provider?: string; request_id?: string }

export interface ReloadRig {
  a: MockUpstream;
  b: MockUpstream;
  child: ChildProcess;
  url: string;
  /** The process's log lines so far (stdout lines that are JSON). */
  lines: LogLine[];
  /** The content of the answer to a Chat request for `model`: "from A" or "from B" (a non-2xx throws). */
  ask(model: string): Promise<string>;
  /** Resolves with `probe`'s first value that is neither undefined nor false; throws after `ms`, with the log so far. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms?: number): Promise<T>;
  /** SIGTERM (SIGKILL after 3 s), and the upstreams closed. */
  close(): Promise<void>;
}

/** Starts the upstreams, writes `config(a.url, b.url)` to `file`, starts `sluice start` on it and waits for its listening line. */
export async function startReloadRig(file: string, config: (a: string, b: string) => string, pollMs = 25): Promise<ReloadRig> {
  const a = await startMockUpstream();
  const b = await startMockUpstream();
  a.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body!['model']), 'from A'))); });
  b.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body!['model']), 'from B'))); });
  writeFileSync(file, config(a.url, b.url));
  const child = spawn(process.execPath, [bin, 'start', '--config', file, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let stderr = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i); buf = buf.slice(i + 1);
      try { lines.push(JSON.parse(l) as LogLine); } catch { /* not a log line */ }
    }
  });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 8000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}; log: ${lines.map((l) => l.msg).join(' | ')}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await a.close(); await b.close();
  };
  let url: string;
  try {
    url = await waitFor('the listening line', () => lines.find((l) => l.msg === 'listening')?.url, 60_000); // a loaded machine's start can take seconds
  } catch (err) {
    await close();
    throw err;
  }
  const ask = async (model: string): Promise<string> => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'who?' }] }) });
    const body = await res.json() as { choices?: { message: { content: string } }[]; error?: unknown };
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    return body.choices![0]!.message.content;
  };
  return { a, b, child, url, lines, ask, waitFor, close };
}
