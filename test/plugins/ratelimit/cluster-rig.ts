// Gateway processes (bin/sluice.js start from the built dist), a private redis-server that a test
// may kill and restart, and a webhook receiver — for the multi-instance ratelimit tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { sleep } from '../../integration/auth-helpers.js';

import type { Instance } from '../../helpers/sluice-process.js';

export { freePort } from '../../helpers/gateway.js';
export { startInstance, type Instance } from '../../helpers/sluice-process.js';

export async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  await new Promise<void>((resolve) => { instance.child.once('exit', () => resolve()); instance.child.kill('SIGTERM'); });
}

/** A redis-server of this test's own (no persistence), on a port it keeps across restarts. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  /** `args`: more redis-server options (e.g. `--enable-debug-command local` for DEBUG SLEEP). */
  constructor(readonly port: number, private readonly args: string[] = []) {}
  get url(): string { return `redis://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.args], { stdio: 'ignore' });
    this.child = child;
    for (const deadline = Date.now() + 10_000; ;) {
      if (await this.answers()) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('redis-server did not start');
      await sleep(50);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => { socket.destroy(); resolve(d.toString().startsWith('+PONG')); });
    });
  }
}

export interface HookEvent { type: string; data: Record<string, unknown> }

/** Receives the auth plugin's webhook deliveries (the budget events among them). */
export async function webhookReceiver(): Promise<{ url: string; events: HookEvent[]; close(): Promise<void> }> {
  const events: HookEvent[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
      try { events.push(JSON.parse(body) as HookEvent); } catch { /* not ours */ }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, events, close: () => new Promise((r) => server.close(() => r())) };
}
