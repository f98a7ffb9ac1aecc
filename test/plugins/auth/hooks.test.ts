// Lifecycle hooks: a signed, retried webhook and a command fed the event on stdin; no key material.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHookDispatcher, BODY_SIGNATURE_HEADER, SIGNATURE_HEADER, verifySignature, type LifecycleEvent } from '../../../plugins/auth/hooks.js';
import { hookOptions } from '../../../plugins/auth/hook-options.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import authPlugin, { authOptions } from '../../../plugins/auth/index.js';
import { createTestHost } from '../../../core/testing/index.js';
import { captureLogger, sqliteDb, within } from './helpers.js';

interface Received { headers: http.IncomingHttpHeaders; body: string }

async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const SECRET = 'a-very-secret-hmac-key';

describe('auth: lifecycle hooks', () => {
  it('POSTs the event signed with HMAC-SHA256 over the body, retrying 5xx with backoff', async () => {
    const rx = await receiver([503, 500, 200]);
    const { logger } = captureLogger();
    const hooks = createHookDispatcher(hookOptions.parse({ webhook: { url: rx.url, secret: SECRET, backoff_ms: 10 } }), logger);
    hooks.emit('user.created', { user: 'alice', team: null });
    await hooks.drain();
    await rx.close();
    expect(rx.received).to.have.length(3);
    const last = rx.received[2]!;
    // Stripe's scheme: a timestamp signed with the body, so a captured delivery cannot be replayed
    // once it is older than the receiver's tolerance.
    const header = String(last.headers[SIGNATURE_HEADER]);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(m, header).to.not.equal(null);
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).to.be.below(10);
    expect(m![2]).to.equal(createHmac('sha256', SECRET).update(`${m![1]}.${last.body}`).digest('hex'));
    expect(verifySignature(header, last.body, SECRET)).to.equal(true);
    // The body-only signature receivers written before the timestamped one check, unchanged.
    expect(last.headers[BODY_SIGNATURE_HEADER]).to.equal(`sha256=${createHmac('sha256', SECRET).update(last.body).digest('hex')}`);
    expect(last.headers['x-sluice-event']).to.equal('user.created');
    const event = JSON.parse(last.body) as LifecycleEvent;
    expect(event).to.include({ type: 'user.created' });
    expect(event.data).to.deep.equal({ user: 'alice', team: null });
    expect(last.headers['x-sluice-delivery']).to.equal(event.id);
    // Every retry carries the same delivery id (receivers drop duplicates by it).
    expect(new Set(rx.received.map((r) => r.headers['x-sluice-delivery'])).size).to.equal(1);
  });

  it('does not retry a 4xx, gives up after `retries`, and only sends the chosen events', async () => {
    const rx = await receiver([400, 500, 500, 500]);
    const { logger, lines } = captureLogger();
    const hooks = createHookDispatcher(hookOptions.parse({ webhook: { url: rx.url, secret: SECRET, retries: 2, backoff_ms: 5 }, events: ['key.revoked'] }), logger);
    hooks.emit('key.created', { key_id: 'x' });
    hooks.emit('key.revoked', { key_id: 'a' });
    await hooks.drain();
    hooks.emit('key.revoked', { key_id: 'b' });
    await hooks.drain();
    await rx.close();
    expect(rx.received.map((r) => (JSON.parse(r.body) as LifecycleEvent).data['key_id'])).to.deep.equal(['a', 'b', 'b', 'b']);
    expect(lines.some((l) => l.includes('refused the event'))).to.equal(true);
    expect(lines.some((l) => l.includes('event dropped'))).to.equal(true);
  });

  it('waits at least what a 429 or 503 asks in retry-after before retrying', async () => {
    const times: number[] = [];
    const server = http.createServer((req, res) => {
      req.resume().on('end', () => {
        times.push(Date.now());
        if (times.length === 1) res.writeHead(429, { 'retry-after': '1' }).end();
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hooks = createHookDispatcher(hookOptions.parse({ webhook: { url, secret: SECRET, backoff_ms: 5 } }), captureLogger().logger);
    hooks.emit('key.revoked', { key_id: 'a' });
    await hooks.drain();
    await new Promise<void>((r) => server.close(() => r()));
    expect(times).to.have.length(2);
    // The backoff alone would have waited 5 ms.
    expect(times[1]! - times[0]!).to.be.at.least(950);
  });

  it('does not follow a redirect: the signed event goes nowhere else, and a 302 is not a delivery', async () => {
    // Where a followed redirect would land: it answers 200, so a follow would look like success.
    const elsewhere = await receiver([200, 200, 200, 200]);
    const received: Received[] = [];
    const moved = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(received.length === 1 ? 307 : 302, { location: elsewhere.url }).end();
      });
    });
    await new Promise<void>((r) => moved.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(moved.address() as AddressInfo).port}/hook`;
    const { logger, lines } = captureLogger();
    const hooks = createHookDispatcher(hookOptions.parse({ webhook: { url, secret: SECRET, backoff_ms: 5 } }), logger);
    hooks.emit('key.revoked', { key_id: 'a' });
    await hooks.drain();
    hooks.emit('key.revoked', { key_id: 'b' });
    await hooks.drain();
    await new Promise<void>((r) => moved.close(() => r()));
    await elsewhere.close();
    expect(elsewhere.received, 'requests the redirect target got').to.have.length(0);
    // Each event tried once (a redirect is final, like a 4xx), and each loss logged with its status.
    expect(received).to.have.length(2);
    const dropped = lines.filter((l) => l.includes('redirect, which is not followed'));
    expect(dropped).to.have.length(2);
    expect(dropped.some((l) => l.includes('307')) && dropped.some((l) => l.includes('302'))).to.equal(true);
  });

  it('runs a command with the event JSON on stdin', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-hook-'));
    const out = path.join(dir, 'event.json');
    const { logger } = captureLogger();
    const hooks = createHookDispatcher(hookOptions.parse({
      command: { run: [process.execPath, '-e', `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(out)}))`] },
    }), logger);
    hooks.emit('user.disabled', { user: 'bob' });
    await hooks.drain();
    const event = JSON.parse(readFileSync(out, 'utf8')) as LifecycleEvent;
    expect(event.type).to.equal('user.disabled');
    expect(event.data).to.deep.equal({ user: 'bob' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a command that fails or cannot start, without throwing', async () => {
    const { logger, lines } = captureLogger();
    const hooks = createHookDispatcher(hookOptions.parse({ command: { run: [process.execPath, '-e', 'process.exit(3)'] } }), logger);
    hooks.emit('user.disabled', { user: 'bob' });
    const missing = createHookDispatcher(hookOptions.parse({ command: { run: ['/nonexistent/hook'] } }), logger);
    missing.emit('user.disabled', { user: 'bob' });
    await Promise.all([hooks.drain(), missing.drain()]);
    expect(lines.some((l) => l.includes('"exit_code":3'))).to.equal(true);
    expect(lines.some((l) => l.includes('could not run'))).to.equal(true);
  });

  it('the service sends user.created, key.created, key.revoked and user.disabled, never with key material', async () => {
    const rx = await receiver([]);
    const db = await sqliteDb();
    const hooks = createHookDispatcher(hookOptions.parse({ webhook: { url: rx.url, secret: SECRET } }), captureLogger().logger);
    const service = new IdentityService({ database: async () => db.knex, hooks, announce: async () => {} });
    await service.addUser({ name: 'alice' });
    const k = await service.createKey({ user: 'alice', kind: 'user', models: ['gpt-*'] });
    await service.revokeKey(k.id);
    await service.setUserDisabled('alice', true);
    await within(5000, () => rx.received.length === 4);
    await rx.close();
    await db.close();
    const events = rx.received.map((r) => JSON.parse(r.body) as LifecycleEvent);
    expect(events.map((e) => e.type).sort()).to.deep.equal(['key.created', 'key.revoked', 'user.created', 'user.disabled']);
    expect(events.find((e) => e.type === 'key.created')!.data).to.deep.include({ key_id: k.id, user: 'alice', models: ['gpt-*'] });
    const all = rx.received.map((r) => r.body).join('\n');
    expect(all).to.not.contain(k.key.slice(18));
    expect(all).to.not.contain('sk-sluice-');
  });

  it('delivers other plugins\' gateway events (budget thresholds) once started, and stops at close', async () => {
    const rx = await receiver([]);
    const host = createTestHost();
    const auth = await authPlugin.setup!(authOptions.parse({ mode: 'none', hooks: { webhook: { url: rx.url, secret: SECRET } } }), host);
    host.events.emit('budget.warning', { scope: 'key', subject: 'k1', percent: 80 });
    await auth.start!();
    host.events.emit('budget.exhausted', { scope: 'key', subject: 'k1', percent: 100 });
    await auth.close!();
    host.events.emit('budget.exhausted', { scope: 'key', subject: 'k2', percent: 100 });
    await rx.close();
    // Before start nothing is delivered (setup has no side effects); after close nothing either.
    expect(rx.received.map((r) => (JSON.parse(r.body) as LifecycleEvent).type)).to.deep.equal(['budget.exhausted']);
    expect(rx.received[0]!.headers[SIGNATURE_HEADER]).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('verifySignature refuses a replayed (old), future, tampered, wrongly keyed or body-only signature', () => {
    const body = '{"id":"e1","type":"key.revoked"}';
    const at = (t: number, payload = `${t}.${body}`, key = SECRET) => `t=${t},v1=${createHmac('sha256', key).update(payload).digest('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(at(now), body, SECRET)).to.equal(true);
    // The edges against the same second (the clock may tick between two calls: a signature from
    // now + 301 read a second later is inside the tolerance).
    const edge = { nowSeconds: now };
    expect(verifySignature(at(now - 299), body, SECRET, edge), 'inside the default 300 s').to.equal(true);
    expect(verifySignature(at(now - 301), body, SECRET, edge), 'a replay after the tolerance').to.equal(false);
    expect(verifySignature(at(now - 3600), body, SECRET, { toleranceSeconds: 7200 })).to.equal(true);
    expect(verifySignature(at(now + 301), body, SECRET, edge)).to.equal(false);
    expect(verifySignature(at(now), body.replace('e1', 'e2'), SECRET)).to.equal(false);
    expect(verifySignature(at(now, `${now}.${body}`, 'another-secret-key'), body, SECRET)).to.equal(false);
    // The old scheme signed the body alone: never accepted, it has no time.
    expect(verifySignature(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`, body, SECRET)).to.equal(false);
    // A timestamp moved without re-signing fails.
    expect(verifySignature(at(now - 1000).replace(`t=${now - 1000}`, `t=${now}`), body, SECRET)).to.equal(false);
    // Several v1 (a secret being rotated): one matching is enough.
    expect(verifySignature(`${at(now, `${now}.${body}`, 'old-secret-key-xyz')},v1=${at(now).split('v1=')[1]}`, body, SECRET)).to.equal(true);
    expect(verifySignature('garbage', body, SECRET)).to.equal(false);
  });
});
