// GET /ready's checks (readiness.ts): a check answered on its socket during a busy spell longer than
// the timeout is ok, not a timeout; a check still silent after it is a timeout.
import { expect } from 'chai';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { readinessCheck, ready } from '../../../core/http/readiness.js';

/**
 * An echo server in another process (it answers while this one is blocked), and a check that
 * writes to it over a connection opened beforehand and waits for the answer.
 */
async function echoServer(): Promise<{ check: () => Promise<void>; close: () => void }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer((c)=>c.on('data',(d)=>c.write(d))).listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const socket = net.connect(Number(line.toString().trim()), '127.0.0.1');
  await once(socket, 'connect');
  const check = () => new Promise<void>((resolve) => { socket.once('data', () => resolve()); socket.write('ping'); });
  return { check, close: () => { socket.destroy(); child.kill(); } };
}

const busy = (ms: number) => { const until = Date.now() + ms; while (Date.now() < until) { /* the event loop is blocked */ } };

describe('readiness checks', () => {
  it('a dependency that answered while the gateway was busy past the timeout is ready, not timed out', async () => {
    const echo = await echoServer();
    try {
      // The check writes, then the loop is blocked past the timeout: the answer waits on the socket.
      const pending = ready(new Map([['db', readinessCheck(echo.check)]]), 100);
      busy(300);
      const answer = await pending;
      expect(answer.body.checks).to.deep.equal({ db: 'ok' });
    } finally { echo.close(); }
  });

  it('a check that never answers is a timeout, and a required one makes the answer not ready', async () => {
    const answer = await ready(new Map([['db', readinessCheck(() => new Promise<void>(() => {}))]]), 50);
    expect(answer).to.deep.equal({ ok: false, body: { status: 'not ready', checks: { db: 'failed: Error' } } });
  });
});
