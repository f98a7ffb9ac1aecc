// server.watch_config on a real `sluice start` process: a change to the config file on disk is
// reloaded as on SIGHUP — written in place, or written elsewhere and renamed over it (editors,
// config management) — and a file that does not validate is refused with the same log line,
// leaving the running routes as they were. Content written again unchanged reloads nothing.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { tempDir } from '../helpers/gateway.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

interface LogLine { msg: string; level: string; url?: string; error?: string }

function yaml(a: string, b: string, target: string, watch = 'true'): string {
  return `server: { shutdown_grace_ms: 200, watch_config: ${watch} }
storage:
  database: "sqlite::memory:"
logging: { level: debug }
providers:
  local: { type: loopback }
  prov-a: { type: openai, base_url: "${a}", api_key: key-a }
  prov-b: { type: openai, base_url: "${b}", api_key: key-b }
chain:
  - use: router
    with:
      routes:
        - { match: "model-x", provider: ${target} }
      default: local
`;
}

describe('config file watch (sluice start, server.watch_config)', function () {
  this.timeout(30_000);
  let a: MockUpstream;
  let b: MockUpstream;
  let child: ChildProcess;
  let dir: string;
  let file: string;
  let url: string;
  const lines: LogLine[] = [];
  let stderr = '';

  const ask = async (model: string): Promise<string> => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'who?' }] }) });
    const body = await res.json() as { choices?: { message: { content: string } }[]; error?: unknown };
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    return body.choices![0]!.message.content;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 8000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}; log: ${lines.map((l) => l.msg).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  const rejections = () => lines.filter((l) => l.level === 'error' && /config reload rejected/.test(l.msg));

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    a.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body!['model']), 'from A'))); });
    b.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body!['model']), 'from B'))); });
    dir = tempDir('sluice-watch-');
    file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, yaml(a.url, b.url, 'prov-a'));
    child = spawn(process.execPath, [bin, 'start', '--config', file, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    url = await waitFor('the listening line', () => lines.find((l) => l.msg === 'listening')?.url, 15_000);
    await waitFor('the watching line', () => lines.some((l) => l.msg === 'watching the config file for changes'));
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await a?.close(); await b?.close();
  });

  it('serves the route of the file it started with', async () => {
    expect(await ask('model-x')).to.equal('from A');
  });

  it('applies a file rewritten in place, without a signal', async () => {
    writeFileSync(file, yaml(a.url, b.url, 'prov-b'));
    await waitFor('model-x to reach provider B', async () => (await ask('model-x')) === 'from B');
    await waitFor('the config reloaded line', () => count('config reloaded') === 1);
  });

  it('applies a file replaced by rename (write a temp file, rename it over the config)', async () => {
    const temp = path.join(dir, '.sluice.yaml.swp');
    writeFileSync(temp, yaml(a.url, b.url, 'prov-a'));
    renameSync(temp, file);
    await waitFor('model-x back on provider A', async () => (await ask('model-x')) === 'from A');
    // And the watch still works after the file it first saw was replaced.
    writeFileSync(file, yaml(a.url, b.url, 'prov-b'));
    await waitFor('model-x on provider B again', async () => (await ask('model-x')) === 'from B');
  });

  it('does not reload when the content written is the same', async () => {
    await waitFor('the last reload logged', () => count('config reloaded') === 3);
    writeFileSync(file, yaml(a.url, b.url, 'prov-b'));
    await waitFor('the unchanged file noticed', () => lines.some((l) => l.msg === 'config file written but unchanged; not reloading'));
    expect(count('config reloaded')).to.equal(3);
  });

  it('refuses a file that does not validate, logs why, and keeps the running routes', async () => {
    const before = rejections().length;
    writeFileSync(file, yaml(a.url, b.url, 'prov-nowhere'));
    await waitFor('a reload rejection', () => rejections().length > before);
    expect(rejections().at(-1)!.error).to.contain('prov-nowhere');
    expect(await ask('model-x')).to.equal('from B');
    expect(child.exitCode).to.equal(null);
    // Broken YAML, by rename this time: refused the same way.
    const temp = path.join(dir, 'sluice.yaml.tmp');
    writeFileSync(temp, yaml(a.url, b.url, 'prov-a') + '\n  - use: [unclosed\n   : : :\n');
    renameSync(temp, file);
    await waitFor('a second rejection', () => rejections().length > before + 1);
    expect(rejections().at(-1)!.error).to.match(/YAML/i);
    expect(await ask('model-x')).to.equal('from B');
  });

  it('takes the next valid file after refused ones', async () => {
    writeFileSync(file, yaml(a.url, b.url, 'prov-a'));
    await waitFor('model-x on provider A', async () => (await ask('model-x')) === 'from A');
  });
});
