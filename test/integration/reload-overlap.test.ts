// Two SIGHUPs close together (a deploy tool that rewrites the file twice, or sends the signal twice)
// used to run two reloads at once. The one started first but slower to prepare swapped last, so the
// gateway ran the older file's options while the newer file had been read and accepted. Reloads now
// run one after the other: the last file read is the one that serves.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const SLOW = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'slow', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ v: z.string(), hold: z.boolean() }),
  setup: (opts) => { let o = opts; return {
    middleware: async ({ exchange }, next) => { exchange.responseHeaders['x-slow'] = o.v; await next(); },
    // A held reload prepares until the test lets it go (a plugin that reads a file or checks a URL before accepting).
    reload: async (next) => { if (next.hold) await globalThis.__slowHold(next.v); return () => { o = next; }; },
  }; } });`;

/**
 * The held reloads of the slow plugin, by option v: the test waits until one is preparing and lets it
 * go when it chooses, so the overlap does not depend on how long a loaded machine takes to get there.
 */
function holdReloads(): { preparing(v: string): Promise<void>; release(v: string): void } {
  const entries = new Map<string, { began: () => void; begun: Promise<void>; release: () => void; released: Promise<void> }>();
  const entry = (v: string) => {
    let e = entries.get(v);
    if (!e) {
      let began = () => {}; let release = () => {};
      const begun = new Promise<void>((r) => { began = r; });
      const released = new Promise<void>((r) => { release = r; });
      e = { began, begun, release, released };
      entries.set(v, e);
    }
    return e;
  };
  (globalThis as { __slowHold?: (v: string) => Promise<void> }).__slowHold = (v) => { const e = entry(v); e.began(); return e.released; };
  return { preparing: (v) => entry(v).begun, release: (v) => entry(v).release() };
}

const yaml = (v: string, hold: boolean) => config({ chain: `  - use: ./slow.js\n    with: { v: ${v}, hold: ${hold} }\n  - use: router\n    with: { default: local }` });

describe('reload: two reloads close together', () => {
  let gw: TestGateway;
  after(async () => { await gw?.close(); });

  it('runs them in order, so the file read last is the one that serves', async () => {
    const holds = holdReloads();
    gw = await startGateway(yaml('one', false), { files: { 'slow.js': SLOW } });
    const file = path.join(gw.dir, 'sluice.yaml');
    writeFileSync(file, yaml('two', true));
    const first = gw.gateway.reload();
    // The second signal comes while the first reload is still preparing, after the file changed again.
    await holds.preparing('two');
    writeFileSync(file, yaml('three', false));
    const second = gw.gateway.reload();
    // Run at once, the second reload would swap now, before the first: give it the chance (it
    // waits for the first when they run in order) before the first is let go.
    await Promise.race([second, new Promise((r) => setTimeout(r, 200))]);
    holds.release('two');
    await Promise.all([first, second]);
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    await res.text();
    expect(res.headers.get('x-slow')).to.equal('three');
  });
});

describe('reload: requests while a plugin prepares its new options', () => {
  let gw: TestGateway;
  after(async () => { await gw?.close(); });

  const renamed = (provider: string, hold: boolean) => `server:\n  shutdown_grace_ms: 200
storage:\n  database: "sqlite::memory:"
providers:\n  ${provider}: { type: loopback }
chain:
  - use: ./slow.js\n    with: { v: ${provider}, hold: ${hold} }
  - use: router\n    with: { default: ${provider} }
`;

  it('are served by the old config until the whole new one swaps in, when the reload renames a provider', async () => {
    const holds = holdReloads();
    gw = await startGateway(renamed('first', false), { files: { 'slow.js': SLOW } });
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), renamed('second', true));
    const reload = gw.gateway.reload();
    await holds.preparing('second');
    // The slow plugin is still preparing: the router still routes to `first`, so `first` must still be there.
    const during = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    const body = await during.text();
    holds.release('second');
    await reload;
    expect(during.status, body).to.equal(200);
    expect(during.headers.get('x-slow')).to.equal('first');
    const after = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    await after.text();
    expect(after.status).to.equal(200);
    expect(after.headers.get('x-slow')).to.equal('second');
  });
});

describe('reload: sections read at start only', () => {
  let gw: TestGateway;
  after(async () => { await gw?.close(); });

  it('says which changed sections were not applied (a rotated admin.key keeps the old one until a restart)', async () => {
    const withAdmin = (key: string) => config({ server: '  shutdown_grace_ms: 200\n' }) + `admin: { key: "${key}" }\n`;
    gw = await startGateway(withAdmin('first-admin-key-0123456789'));
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), withAdmin('second-admin-key-0123456789'));
    await gw.gateway.reload();
    const warned = gw.logs.map((l) => JSON.parse(l) as { msg: string; sections?: string[] }).filter((l) => /did not apply/.test(l.msg));
    expect(warned).to.have.length(1);
    expect(warned[0]!.sections).to.deep.equal(['admin']);
    expect(gw.logs.join('\n')).not.to.include('second-admin-key');
    // Back to what runs: nothing left unapplied, nothing said.
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), withAdmin('first-admin-key-0123456789'));
    await gw.gateway.reload();
    expect(gw.logs.filter((l) => /did not apply/.test(l))).to.have.length(1);
  });
});
