// /metrics and the access log on a running gateway: prom-client's registry with the process
// defaults and the core request metrics, and credentials that never reach a log line.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

const LOG_HEADERS_PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'log-headers', version: '1.0.0', sluice: '>=0.1.0', options: z.strictObject({}),
  setup: (_o, host) => ({ middleware: async (ctx, next) => {
    // A careless plugin: it logs the client's headers and the key it read from them.
    host.logger.info('client headers', { headers: ctx.exchange.headers, api_key: ctx.exchange.headers['x-api-key'] });
    await next();
  } }) });`;

describe('observability on a running gateway', () => {
  let gw: TestGateway;
  let other: TestGateway;
  before(async () => {
    gw = await startGateway(config({ chain: '  - use: router\n    with: { default: local }\n  - use: ./log-headers.js\n' }), { files: { 'log-headers.js': LOG_HEADERS_PLUGIN } });
    other = await startGateway(config());
  });
  after(async () => { await gw.close(); await other.close(); });

  const chat = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hello' }] }),
  });

  it('/metrics has the event-loop lag and, after a request, the request counters and histograms', async () => {
    expect((await chat(gw.url)).status).to.equal(200);
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).to.match(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).to.match(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).to.match(/^sluice_requests_total\{endpoint="openai.chat",provider="local",status="2xx",outcome="success"\} [1-9]/m);
    expect(text).to.match(/^sluice_request_duration_seconds_count\{endpoint="openai.chat"\} [1-9]/m);
    expect(text).to.match(/^sluice_time_to_first_byte_seconds_bucket\{le="\+Inf",endpoint="openai.chat"\} [1-9]/m);
    expect(text).to.match(/^sluice_tokens_total\{provider="local",class="output"\} [1-9]/m);
  });

  it('counts per gateway: another gateway in the same process has its own registry', async () => {
    expect((await chat(gw.url)).status).to.equal(200);
    const text = await (await fetch(`${other.url}/metrics`)).text();
    expect(text).to.include('# TYPE sluice_requests_total counter');
    expect(text).to.not.match(/^sluice_requests_total\{/m);
    expect(text).to.match(/^nodejs_eventloop_lag_seconds /m);
  });

  it('a plugin that logs request headers does not leak the client\'s API key', async () => {
    const secret = 'sk-live-do-not-log-0123456789';
    expect((await chat(gw.url, { authorization: `Bearer ${secret}`, 'x-api-key': secret, 'x-request-id': 'obs-redact-1' })).status).to.equal(200);
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'client headers' && (l['headers'] as Record<string, string>)['x-request-id'] === 'obs-redact-1');
    expect(line, 'the plugin logged').to.not.equal(undefined);
    expect(line).to.deep.include({ api_key: '[redacted]', plugin: 'log-headers' });
    expect(line!['headers']).to.deep.include({ authorization: '[redacted]', 'x-api-key': '[redacted]', 'content-type': 'application/json' });
    expect(gw.logs.join('')).to.not.include(secret);
  });
});

describe('sluice start: the access log on shutdown', function () {
  this.timeout(30_000);

  it('has written every request line and "stopped" when a SIGTERM\'d process exits', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, config().replace('logging: { level: debug }', 'logging: { level: info }'));
    const child = spawn(process.execPath, [bin, 'start', '--config', file, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const until = Date.now() + 15_000;
      let url: string | undefined;
      while (!url) {
        if (Date.now() > until) throw new Error(`no listening line; stderr: ${err}`);
        url = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; url?: string }).find((l) => l.msg === 'listening')?.url;
        await new Promise((r) => setTimeout(r, 50));
      }
      const ids = Array.from({ length: 20 }, (_, i) => `shutdown-log-${i}`);
      for (const id of ids) {
        const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
        expect(res.status).to.equal(200);
        await res.arrayBuffer();
      }
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; request_id?: string });
      expect(lines.filter((l) => l.msg === 'request').map((l) => l.request_id)).to.deep.equal(ids);
      expect(lines.at(-1)!.msg).to.equal('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
