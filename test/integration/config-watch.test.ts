// server.watch_config on a real `sluice start` process: a change to the config file on disk is
// reloaded as on SIGHUP — written in place, or written elsewhere and renamed over it (editors,
// config management) — and a file that does not validate is refused with the same log line,
// leaving the running routes as they were. Content written again unchanged reloads nothing.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MockUpstream } from '../helpers/mock-upstream.js';
import { startReloadRig, type LogLine, type ReloadRig } from '../helpers/reload-rig.js';
import { tempDir } from '../helpers/gateway.js';


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
  let rig: ReloadRig;
  let a: MockUpstream;
  let b: MockUpstream;
  let child: ChildProcess;
  let lines: LogLine[];
  let dir: string;
  let file: string;
  const ask = (model: string) => rig.ask(model);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms?: number) => rig.waitFor(what, probe, ms);
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  const rejections = () => lines.filter((l) => l.level === 'error' && /config reload rejected/.test(l.msg));

  before(async () => {
    dir = tempDir('sluice-watch-');
    file = path.join(dir, 'sluice.yaml');
    rig = await startReloadRig(file, (au, bu) => yaml(au, bu, 'prov-a'));
    ({ a, b, child, lines } = rig);
    await waitFor('the watching line', () => lines.some((l) => l.msg === 'watching the config file for changes'));
  });
  after(async () => { await rig?.close(); });

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
