// A SIGHUP that arrives while `sluice start` shuts down (a deploy script's reload crossing a rolling
// restart's SIGTERM) must not reload: the shutdown closes plugins and providers, and a reload
// swapping in new ones meanwhile would run plugins' reload on closing instances and open provider
// pools nothing closes. The file watch is already stopped then; SIGHUP is refused the same way, and
// the log says so.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startSluiceProcess, onFreePort, type SluiceProcess } from '../helpers/sluice-process.js';

const yaml = (port: number, model: string) => `server: { port: ${port}, shutdown_grace_ms: 4000 }
storage: { database: "sqlite::memory:" }
logging: { level: info }
providers: { local: { type: loopback, models: [${model}] } }
chain:
  - use: router
    with: { default: local }
`;

describe('SIGHUP during the shutdown (sluice start)', function () {
  this.timeout(30_000);
  let dir: string;
  let gateway: SluiceProcess | undefined;
  afterEach(() => { gateway?.child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });

  it('is refused with a log line, and the process still exits 0', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-hup-down-'));
    const file = path.join(dir, 'sluice.yaml');
    let url = '';
    gateway = await onFreePort(async (port) => {
      writeFileSync(file, yaml(port, 'first'));
      url = `http://127.0.0.1:${port}`;
      return startSluiceProcess(['--config', file], `${url}/health`);
    });
    // A kept-alive connection holds the shutdown in its first phase (connections left to their
    // clients for half the grace): the process is certainly still shutting down at the SIGHUP.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => http.get(`${url}/health`, { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
    writeFileSync(file, yaml(Number(new URL(url).port), 'second'));
    gateway.child.kill('SIGTERM');
    const out = () => gateway!.output.join('');
    for (const until = Date.now() + 5000; !/"msg":"shutting down"/.test(out()) && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    gateway.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    agent.destroy();
    expect(await gateway.exited).to.equal(0);
    expect(out()).to.match(/"msg":"shutting down"/);
    expect(out()).not.to.match(/"msg":"config reloaded"/);
    expect(out()).to.match(/config reload ignored: the gateway is shutting down/);
  });
});
