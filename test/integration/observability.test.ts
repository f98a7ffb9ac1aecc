// /metrics and the access log on a running gateway: prom-client's registry with the process
// defaults and the core request metrics, and credentials that never reach a log line.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const LOG_HEADERS_PLUGIN = `import { definePlugin, t } from 'sluice';
export default definePlugin({ name: 'log-headers', version: '1.0.0', sluice: '>=0.1.0', options: t.object({}),
  setup: (_o, host) => ({ middleware: async (ctx, next) => {
    // A careless plugin: it logs the client's headers and the key it read from them.
    host.logger.info('client headers', { headers: ctx.headers, api_key: ctx.get('x-api-key') });
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
