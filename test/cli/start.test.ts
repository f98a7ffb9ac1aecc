// `sluice start` from the operator's side: a busy port is one line, and data lands where it should —
// under $SLUICE_HOME for the embedded default, beside the file for the operator's own config.
import { expect } from 'chai';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluice, STACK_FRAME, startSluice, type Started } from './run-cli.js';

const CONFIG = `providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
`;

/**
 * fetch on a connection closed after its answer. The afterEach's SIGTERM shuts down gracefully, and
 * that keeps an idle keep-alive connection open for up to 5 s (CLOSING_MS), for a proxy to close
 * its own: these tests are not about shutdown, and the test's client is no proxy.
 */
const request = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), connection: 'close' } });

describe('sluice start', () => {
  let started: Started | undefined;
  afterEach(async () => { await started?.stop(); started = undefined; });

  /** Runs `sluice start` with `args(port, file)` while another server holds `port`; its result for `check`. */
  async function startOnBusyPort(yaml: (port: number) => string, args: (port: number, file: string) => string[], check: (r: ReturnType<typeof sluice>, port: number) => void): Promise<void> {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const file = path.join(tempDir(), 'sluice.yaml');
      writeFileSync(file, yaml(port));
      const r = sluice(args(port, file));
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(new RegExp(`^sluice: port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\)[^\\n]*\\n$`));
      expect(r.stderr).to.not.match(STACK_FRAME);
      check(r, port);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }

  it('a busy port is one clear line and exit 1', async () => {
    await startOnBusyPort(() => CONFIG, (port, file) => ['start', '--config', file, '--port', String(port)], (r) => {
      expect(r.stderr).to.contain('choose another with --port');
    });
  });

  it('a busy port of one of server.listeners names that listener to change, not --port (which does not apply there)', async () => {
    await startOnBusyPort(
      (port) => `server:\n  listeners:\n    - { port: 0, serve: [openai, anthropic, gemini] }\n    - { port: ${port}, serve: [admin, metrics] }\n${CONFIG}`,
      (_port, file) => ['start', '--config', file],
      (r) => {
        expect(r.stderr).to.contain('change server.listeners[1].port in ');
        expect(r.stderr).to.not.contain('--port');
      },
    );
  });

  it('in an empty directory serves the embedded default with its data under $SLUICE_HOME', async () => {
    const cwd = tempDir('sluice-empty-');
    const home = path.join(tempDir('sluice-home-'), 'home');
    started = await startSluice(['--port', '0'], { cwd, env: { SLUICE_HOME: home } });
    const listening = started.lines.find((l) => l['msg'] === 'listening')!;
    expect(String(listening['config'])).to.match(/config[/\\]sluice\.yaml$/);
    expect(listening['sluice_home']).to.equal(home);
    // /ready opens the database: the embedded default's sqlite:./data/sluice.db.
    const ready = await request(`${started.url}/ready`);
    expect(ready.status).to.equal(200);
    const answer = await request(`${started.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).to.equal(200);
    expect(existsSync(path.join(home, 'data', 'sluice.db'))).to.equal(true);
    expect(readdirSync(cwd)).to.deep.equal([]);
  });

  it('with the operator\'s own config resolves relative paths against its file, not $SLUICE_HOME or the cwd', async () => {
    const dir = tempDir('sluice-own-');
    const cwd = tempDir('sluice-cwd-');
    const home = tempDir('sluice-home-');
    writeFileSync(path.join(dir, 'sluice.yaml'), `storage: { database: "sqlite:./state/gw.db" }\n${CONFIG}`);
    started = await startSluice(['--config', path.join(dir, 'sluice.yaml'), '--port', '0'], { cwd, env: { SLUICE_HOME: home } });
    expect(started.lines.find((l) => l['msg'] === 'listening')).to.not.have.property('sluice_home');
    expect((await request(`${started.url}/ready`)).status).to.equal(200);
    expect(existsSync(path.join(dir, 'state', 'gw.db'))).to.equal(true);
    expect(readdirSync(home)).to.deep.equal([]);
    expect(readdirSync(cwd)).to.deep.equal([]);
  });

  it('picks up ./sluice.yaml in the working directory before the embedded default', async () => {
    const cwd = tempDir('sluice-cwd-');
    writeFileSync(path.join(cwd, 'sluice.yaml'), CONFIG.replace('{ type: loopback }', '{ type: loopback, models: [from-cwd-config] }'));
    started = await startSluice(['--port', '0'], { cwd, env: { SLUICE_HOME: tempDir('sluice-home-') } });
    const models = await (await request(`${started.url}/v1/models`)).json() as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).to.include('from-cwd-config');
  });
});
