// Multi-port mode (server.listeners): endpoint groups on their own ports, real HTTP on each. A group a
// listener does not serve is a 404 in the caller's protocol; the same request answers the same on
// every listener that serves it; probes answer everywhere; shutdown closes every port; the
// unauthenticated-remote refusal applies to data-plane listeners only.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import OpenAI from 'openai';
import { createGateway } from '../../core/app.js';
import { ConfigError } from '../../core/config/config-error.js';
import { loadConfigFile, parseConfigText } from '../../core/config/load.js';
import { createLogger } from '../../core/observability/logger.js';
import WebSocket from 'ws';
import { listenAll, listenersOf, type RunningServer } from '../../core/server.js';
import { tempDir } from '../helpers/gateway.js';
import { freePort } from '../helpers/nginx.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';
import { refusedStartInProcess } from '../cli/run-cli.js';

const ADMIN_KEY = 'admin-key-for-listeners-test';

function yaml(listeners: string, chain = '  - use: router\n    with: { default: local }\n  - use: translator\n  - use: ledger\n'): string {
  return `server:
  shutdown_grace_ms: 200
  listeners:
${listeners}
storage:
  database: "sqlite::memory:"
logging: { level: warn }
admin: { key: "${ADMIN_KEY}" }
providers:
  local: { type: loopback }
chain:
${chain}`;
}

async function start(text: string): Promise<RunningServer> {
  const dir = tempDir('sluice-listeners-');
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, text);
  const loaded = await loadConfigFile(file);
  const gateway = await createGateway(loaded, { logger: createLogger({ level: 'silent', write: () => {} }) });
  return listenAll(gateway, listenersOf(loaded.config.server));
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

describe('multi-port mode (server.listeners)', () => {
  let running: RunningServer;
  let url: (i: number) => string;

  before(async () => {
    running = await start(yaml(`    - { port: 0, host: 127.0.0.1, serve: [openai, anthropic, gemini] }
    - { port: 0, host: 127.0.0.1, serve: [admin, metrics] }
    - { port: 0, serve: [openai] }`));
    url = (i) => `http://127.0.0.1:${running.listeners[i]!.port}`;
  });
  after(() => running.shutdown('test'));

  it('binds every listener on its own port', () => {
    const ports = running.listeners.map((l) => l.port);
    expect(new Set(ports).size).to.equal(3);
    expect(running.listeners.map((l) => l.serve)).to.deep.equal([['openai', 'anthropic', 'gemini'], ['admin', 'metrics'], ['openai']]);
  });

  it('answers /health and /ready on every listener', async () => {
    for (const i of [0, 1, 2]) {
      expect((await fetch(`${url(i)}/health`)).status).to.equal(200);
      expect((await fetch(`${url(i)}/ready`)).status).to.equal(200);
    }
  });

  it('serves the data plane where it is listed, and the same request answers the same on each', async () => {
    const ask = async (i: number) => {
      const client = new OpenAI({ baseURL: `${url(i)}/v1`, apiKey: 'x', maxRetries: 0 });
      const { data, response } = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'same question' }] }).withResponse();
      return { status: response.status, content: data.choices[0]!.message.content, model: data.model, usage: data.usage };
    };
    const [a, c] = [await ask(0), await ask(2)];
    expect(a.status).to.equal(200);
    expect(c).to.deep.equal(a);
    const anthropic = new Anthropic({ baseURL: url(0), apiKey: 'x', maxRetries: 0 });
    const msg = await anthropic.messages.create({ model: 'loopback', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.type).to.equal('message');
  });

  it('answers a group the listener does not serve with 404 in the caller\'s protocol', async () => {
    // OpenAI on the admin port: the OpenAI SDK's NotFoundError, with the OpenAI error shape.
    const openai = new OpenAI({ baseURL: `${url(1)}/v1`, apiKey: 'x', maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).error).to.have.property('code', 'SLUICE_E_NOT_FOUND');
    // Anthropic on the OpenAI-only port: Anthropic's envelope.
    const anthropic = new Anthropic({ baseURL: url(2), apiKey: 'x', maxRetries: 0 });
    const aerr = await anthropic.messages.create({ model: 'loopback', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(aerr).to.be.instanceOf(Anthropic.NotFoundError);
    expect((aerr as InstanceType<typeof Anthropic.NotFoundError>).error).to.deep.include({ type: 'error' });
    // Gemini on the OpenAI-only port: Google's envelope.
    const g = await fetch(`${url(2)}/v1beta/models/loopback:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    expect(g.status).to.equal(404);
    expect(((await g.json()) as { error: { status: string } }).error.status).to.equal('NOT_FOUND');
    // Served on the data-plane port, for contrast.
    const served = await fetch(`${url(0)}/v1beta/models/loopback:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    expect(served.status).to.equal(200);
  });

  it('opens the Responses WebSocket only on a listener serving openai; elsewhere the upgrade is a 426', async () => {
    const upgrade = (i: number) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${url(i).replace('http', 'ws')}/v1/responses`);
      ws.once('open', () => { ws.close(); resolve(101); });
      ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode!); });
      ws.once('error', reject);
    });
    expect([await upgrade(0), await upgrade(1), await upgrade(2)]).to.deep.equal([101, 426, 101]);
    // The refusal names the cause: this listener, not the transport (HTTP here gets the 404 above).
    const message = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${url(1).replace('http', 'ws')}/v1/responses`);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve((JSON.parse(body) as { error: { message: string } }).error.message));
      });
      ws.once('open', () => { ws.close(); reject(new Error('opened')); });
      ws.once('error', reject);
    });
    expect(message).to.equal('this listener does not serve the openai endpoints (server.listeners)');
  });

  it('serves admin and metrics only on their listener', async () => {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    expect((await fetch(`${url(1)}/admin/usage`, { headers: auth })).status).to.equal(200);
    expect((await fetch(`${url(1)}/metrics`)).status).to.equal(200);
    expect(await (await fetch(`${url(1)}/metrics`)).text()).to.match(/^# HELP /m);
    for (const i of [0, 2]) {
      const admin = await fetch(`${url(i)}/admin/usage`, { headers: auth });
      expect(admin.status).to.equal(404);
      expect(((await admin.json()) as { error: { code: string } }).error.code).to.equal('SLUICE_E_NOT_FOUND');
      expect((await fetch(`${url(i)}/metrics`)).status).to.equal(404);
    }
  });

  it('closes every listener on shutdown', async () => {
    const other = await start(yaml(`    - { port: 0, host: 127.0.0.1, serve: [openai] }
    - { port: 0, host: 127.0.0.1, serve: [metrics] }`));
    const ports = other.listeners.map((l) => l.port);
    for (const p of ports) expect(await refused(p)).to.equal(false);
    await other.shutdown('test');
    for (const p of ports) expect(await refused(p), `port ${p}`).to.equal(true);
  });
});

describe('multi-port mode: unauthenticated remote listeners', () => {
  it('lets admin and metrics listen beyond loopback while the data plane stays on loopback', async () => {
    const running = await start(yaml(`    - { port: 0, host: 127.0.0.1, serve: [openai] }
    - { port: 0, host: 0.0.0.0, serve: [admin, metrics] }`));
    await running.shutdown('test');
  });

  it('refuses a public data-plane listener without an auth plugin, at its line', async () => {
    const err = await start(yaml(`    - { port: 0, host: 127.0.0.1, serve: [admin] }
    - { port: 0, host: 0.0.0.0, serve: [anthropic] }`)).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).message).to.match(/refusing to listen on 0\.0\.0\.0 without authentication/);
    expect((err as ConfigError).location?.line).to.equal(5);
  });
});

describe('multi-port mode: config validation', () => {
  const refusedConfigs: [string, string, RegExp, number][] = [
    ['duplicate ports', `    - { port: 9100, serve: [openai] }\n    - { port: 9100, serve: [admin] }`, /server\.listeners\[1\]\.port: port 9100 is already used by listener 1/, 5],
    ['an empty serve list', `    - { port: 9100, serve: [] }`, /server\.listeners\[0\]\.serve: /, 4],
    ['an unknown group', `    - { port: 9100, serve: [openai, grpc] }`, /server\.listeners\[0\]\.serve\[1\]: .*openai.*anthropic.*gemini.*admin.*metrics/, 4],
  ];
  for (const [what, listeners, message, line] of refusedConfigs) {
    it(`refuses ${what} with file and line`, () => {
      let err: unknown;
      try { parseConfigText(yaml(listeners), 'team.yaml', {}); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).message).to.match(message);
      expect((err as ConfigError).location).to.include({ file: 'team.yaml', line });
    });
  }
});

describe('multi-port mode: sluice start', function () {
  this.timeout(30_000);
  it('refuses --port and --host, which a listener list makes meaningless', async () => {
    const dir = tempDir('sluice-listeners-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, yaml('    - { port: 0, serve: [openai] }'));
    const r = await refusedStartInProcess(['--config', file, '--port', '9999']);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/--port and --host do not apply when server\.listeners is set/);
  });

  it('logs every listener, serves each, and closes them all on SIGTERM', async () => {
    const [data, ops] = [await freePort(), await freePort()];
    const dir = tempDir('sluice-listeners-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, yaml(`    - { port: ${data}, host: 127.0.0.1, serve: [openai, anthropic, gemini] }\n    - { port: ${ops}, host: 127.0.0.1, serve: [admin, metrics] }`).replace('level: warn', 'level: info'));
    const proc = await startSluiceProcess(['--config', file], `http://127.0.0.1:${ops}/health`);
    try {
      expect((await fetch(`http://127.0.0.1:${ops}/metrics`)).status).to.equal(200);
      expect((await fetch(`http://127.0.0.1:${data}/metrics`)).status).to.equal(404);
      // The log is written asynchronously: the ports may answer before their lines arrive.
      const listening = () => proc.output.join('').split('\n').filter((l) => l.includes('"listening"'));
      for (const deadline = Date.now() + 5000; listening().length < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      const lines = listening();
      expect(lines.some((l) => l.includes(`127.0.0.1:${data}`) && l.includes('openai,anthropic,gemini')), lines.join('\n')).to.equal(true);
      expect(lines.some((l) => l.includes(`127.0.0.1:${ops}`) && l.includes('admin,metrics')), lines.join('\n')).to.equal(true);
    } finally {
      await proc.stop();
    }
    expect(proc.child.exitCode).to.equal(0);
    expect(await refused(data)).to.equal(true);
    expect(await refused(ops)).to.equal(true);
  });
});

describe('an IPv6 literal written as in a URL', () => {
  it('server.host "[::1]" listens on ::1 (loopback, no auth needed) instead of failing with ENOTFOUND', async () => {
    const dir = tempDir('sluice-listeners-v6-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, `server: { host: "[::1]", port: 0, shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers: { local: { type: loopback } }
chain:
  - use: router
    with: { default: local }
`);
    const loaded = await loadConfigFile(file);
    const gateway = await createGateway(loaded, { logger: createLogger({ level: 'silent', write: () => {} }) });
    const running = await listenAll(gateway, listenersOf(loaded.config.server));
    try {
      const res = await fetch(`http://[::1]:${running.port}/health`);
      expect(res.status).to.equal(200);
    } finally {
      await running.shutdown('test');
    }
  });
});
