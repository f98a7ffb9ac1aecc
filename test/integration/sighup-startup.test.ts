// A SIGHUP that arrives while `sluice start` is still starting (migrations, plugins' start(): seconds
// on a busy machine) ended the process with exit 129 and nothing logged — Node's default for the
// signal, since the reload handler was installed only once serving. An operator's `systemctl
// reload` or a deploy script's HUP right after a start must not kill the gateway: the signal is
// remembered and the reload runs once the gateway serves.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

// A plugin whose start() says it has begun (a marker file) and then waits for the test's go-ahead:
// the SIGHUP is sent while the gateway is certainly starting.
const SLOW_START = `import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'slow-start', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ dir: z.string() }),
  setup: (o) => ({ start: async () => {
    writeFileSync(path.join(o.dir, 'starting'), '');
    while (!existsSync(path.join(o.dir, 'go'))) await new Promise((r) => setTimeout(r, 20));
  } }) });`;

describe('SIGHUP during start-up (sluice start)', function () {
  this.timeout(30_000);
  let dir: string;
  let child: ChildProcess | undefined;
  afterEach(() => { child?.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });

  it('is not fatal: the gateway comes up, serves, and applies the reload once serving', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-hup-'));
    writeFileSync(path.join(dir, 'slow.js'), SLOW_START);
    writeFileSync(path.join(dir, 'sluice.yaml'), `server: { port: 0, shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
logging: { level: info }
providers: { local: { type: loopback } }
chain:
  - use: ./slow.js
    with: { dir: ${JSON.stringify(dir)} }
  - use: router
    with: { default: local }
`);
    child = spawn(process.execPath, [bin, 'start', '--config', path.join(dir, 'sluice.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    let exit: number | null | undefined;
    let signal: string | null | undefined;
    child.on('exit', (code, sig) => { exit = code; signal = sig; });
    const waitFor = async (what: string, ok: () => boolean) => {
      const until = Date.now() + 20_000;
      while (!ok()) {
        if (exit !== undefined || signal !== undefined) throw new Error(`sluice start ended (code ${exit}, signal ${signal}) waiting for ${what}: ${out}`);
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    await waitFor('the plugin start', () => existsSync(path.join(dir, 'starting')));
    child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 200)); // the signal is delivered; before the fix, the process is gone
    writeFileSync(path.join(dir, 'go'), '');
    await waitFor('listening', () => /"msg":"listening"/.test(out));
    await waitFor('the reload', () => /"msg":"config reloaded"/.test(out));
    const url = /"url":"(http:[^"]+)"/.exec(out)![1]!;
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status).to.equal(200);
    await res.text();
    expect(exit).to.equal(undefined);
  });
});
