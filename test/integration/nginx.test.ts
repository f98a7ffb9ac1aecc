// Sluice behind a real nginx running examples/nginx/sluice.conf (ports and addresses rewritten, every
// other line as shipped), in front of two Sluice instances sharing one ledger (PostgreSQL when
// SLUICE_TEST_PG is set, else a SQLite file per instance). The instances run in this process: what
// is checked is the example's proxying and the HTTP between nginx and Sluice, not Sluice's process
// (the real binary's start, signals and exits have tests of their own). Checks what the example promises:
// streams are not buffered (the first token arrives through nginx as soon as directly), requests
// spread over both instances, and the ledger records the client's own address — not nginx's, and
// not what the client writes into X-Forwarded-For.
//
// Addresses: the client connects from 127.0.0.2 to nginx on 127.0.0.3; nginx reaches the instances
// on 127.0.0.1 from 127.0.0.1. So the right address in the ledger (127.0.0.2) differs from the
// proxy's (127.0.0.1) and from a spoofed one (6.6.6.6).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { openDatabase } from '../../core/storage/database.js';
import { LEDGER_TABLE } from '../../plugins/ledger/row.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { ensureNginx, freePort, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { pgSchema } from '../plugins/auth/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(root, 'examples/nginx/sluice.conf');
const PG = process.env['SLUICE_TEST_PG'];
const REDIS = process.env['SLUICE_TEST_REDIS'];
/** Requests per minute for the model the limit check asks for (shared by both instances in Redis). */
const LIMITED_MODEL = 'gpt-limited';
const LIMITED_RPM = 5;
/** The mock's pause between the first token and the rest of the stream. */
const GAP_MS = 1000;
const CLIENT_ADDRESS = '127.0.0.2';
const NGINX_ADDRESS = '127.0.0.3';

/** `text` with `from` replaced by `to`, failing when the example no longer has `from` exactly once. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`examples/nginx/sluice.conf should contain "${from}" exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

interface Instance { port: number; dir: string; database: string; gateway: TestGateway }

function instanceConfig(port: number, trustProxy: string, database: string, upstream: string, redisPrefix: string): string {
  return `server:
  host: 127.0.0.1
  port: ${port}
  trust_proxy: ${trustProxy}
  shutdown_grace_ms: 200
storage:
  database: "${database}"
${REDIS ? `  redis: "${REDIS}"\n` : ''}logging: { level: warn }
providers:
  mock: { type: openai, base_url: "${upstream}", api_key: sk-mock }
  local: { type: loopback }
chain:
  - use: router
    with: { routes: [{ match: loopback, provider: local }], default: mock }
${REDIS ? `  - use: ratelimit
    with:
      store: redis
      key_prefix: "${redisPrefix}"
      rules:
        - { scope: model, match: "${LIMITED_MODEL}", rpm: ${LIMITED_RPM} }
` : ''}  - use: ledger
    with: { flush_interval_ms: 50 }
`;
}

/** An OpenAI SDK client whose connections leave from `localAddress`. */
function clientFrom(localAddress: string, baseURL: string): OpenAI {
  const dispatcher = new Agent({ localAddress });
  return new OpenAI({
    baseURL, apiKey: 'sk-client', maxRetries: 0,
    fetch: ((url: string, init: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch,
  });
}

/** ms from the call to the first content token, and to the end of the stream. */
async function timedStream(client: OpenAI): Promise<{ first: number; end: number; text: string }> {
  const t0 = performance.now();
  const stream = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let first = -1;
  let text = '';
  for await (const c of stream) {
    const delta = c.choices[0]?.delta?.content;
    if (delta) { if (first < 0) first = performance.now() - t0; text += delta; }
  }
  return { first, end: performance.now() - t0, text };
}

describe('behind nginx (examples/nginx/sluice.conf)', function () {
  this.timeout(60_000);
  let upstream: MockUpstream | undefined;
  let nginx: RunningNginx | undefined;
  const instances: Instance[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  let nginxUrl = '';
  let bufferedUrl = '';

  before(async function () {
    this.timeout(660_000); // a first run may install nginx with apt-get (install, update, install)
    const found = await ensureNginx();
    if (!found.path) {
      console.warn(`      skipped: nginx is not available (${found.reason})`);
      return this.skip();
    }
    upstream = await startMockUpstream();
    upstream.handle(async (req, res) => {
      const model = String(req.body?.['model'] ?? 'mock');
      if (req.body?.['stream'] !== true) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'chatcmpl-1', object: 'chat.completion', created: 1700000000, model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Headers first, the first token a moment later (as a model does): a buffering proxy passes
      // on what arrived with the headers at once, and holds what comes after.
      res.write(chunk(model, { role: 'assistant', content: '' }));
      await new Promise((r) => setTimeout(r, 150));
      res.write(chunk(model, { content: 'first' }));
      await new Promise((r) => setTimeout(r, GAP_MS));
      res.write(chunk(model, { content: ' rest' }));
      res.write(chunk(model, {}, 'stop'));
      res.end('data: [DONE]\n\n');
    });

    let shared: string | undefined;
    if (PG) {
      const schema = await pgSchema();
      dropSchema = schema.drop;
      shared = schema.url;
    }
    // Both forms the example documents: a hop count, and the proxy's address.
    const redisPrefix = `sluice-nginx-test:${process.pid}:${Date.now().toString(36)}:`;
    for (const trust of ['{ hops: 1 }', '["127.0.0.1/32"]']) {
      const dir = tempDir('sluice-nginx-');
      const database = shared ?? 'sqlite:./sluice.db';
      // One at a time: the first runs the ledger's migrations in the shared schema.
      const gateway = await startGateway(instanceConfig(0, trust, database, upstream!.url, redisPrefix), { dir });
      instances.push({ port: gateway.running.port, dir, database, gateway });
    }

    const port = await freePort(NGINX_ADDRESS);
    const bufferedPort = await freePort(NGINX_ADDRESS);
    let conf = readFileSync(EXAMPLE, 'utf8');
    conf = replaceOnce(conf, 'sluice-1:8081', `127.0.0.1:${instances[0]!.port}`);
    conf = replaceOnce(conf, 'sluice-2:8081', `127.0.0.1:${instances[1]!.port}`);
    // Which instance answered, for the spread check (the example does not publish it).
    conf = replaceOnce(conf, 'listen 80;', `listen ${NGINX_ADDRESS}:${port};\n    add_header X-Test-Upstream $upstream_addr always;`);
    // The control, so the TTFT check can fail: a server that buffers the stream (nginx compressing
    // SSE, a common misconfiguration; proxy_buffering on alone did not delay tokens in nginx 1.22
    // here) must hold the first token until the stream ends.
    conf += `
server {
    listen ${NGINX_ADDRESS}:${bufferedPort};
    location / {
        proxy_pass http://sluice;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # As the example does: without it nginx sends the upstream block's name ("sluice"), which
        # a gateway without authentication refuses (not this machine's name: server.allowed_hosts).
        proxy_set_header Host $host;
        proxy_buffering on;
        proxy_ignore_headers X-Accel-Buffering;
        gzip on;
        gzip_types text/event-stream;
        gzip_min_length 0;
    }
}
`;
    nginxUrl = `http://${NGINX_ADDRESS}:${port}`;
    bufferedUrl = `http://${NGINX_ADDRESS}:${bufferedPort}`;
    nginx = await startNginx(found.path, tempDir('sluice-nginx-prefix-'), conf, `${nginxUrl}/health`);
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all(instances.map((i) => i.gateway.close()));
    await upstream?.close();
    await dropSchema?.();
  });

  /** Ledger rows (request id → client address, or another column) from the shared database or every instance's own. */
  async function ledgerAddresses(ids: string[], column: 'client_address' | 'session_id' = 'client_address'): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    const deadline = Date.now() + 10_000;
    while (found.size < ids.length && Date.now() < deadline) {
      const sources = PG ? [instances[0]!] : instances;
      for (const i of sources) {
        const knex = openDatabase(i.database, i.dir);
        try {
          const rows = await knex(LEDGER_TABLE).whereIn('request_id', ids).select('request_id', `${column} as value`) as { request_id: string; value: string | null }[];
          for (const r of rows) found.set(r.request_id, r.value);
        } finally {
          await knex.destroy();
        }
      }
      if (found.size < ids.length) await new Promise((r) => setTimeout(r, 100));
    }
    return found;
  }

  it('streams through nginx without buffering: the first token arrives as soon as directly', async () => {
    const viaNginx = clientFrom(CLIENT_ADDRESS, `${nginxUrl}/v1`);
    const direct = clientFrom(CLIENT_ADDRESS, `http://127.0.0.1:${instances[0]!.port}/v1`);
    const buffered = clientFrom(CLIENT_ADDRESS, `${bufferedUrl}/v1`);
    // Concurrently: the whole check costs one gap.
    const [n1, n2, d, b] = await Promise.all([timedStream(viaNginx), timedStream(viaNginx), timedStream(direct), timedStream(buffered)]);
    for (const r of [n1, n2, d, b]) expect(r.text).to.equal('first rest');
    for (const r of [n1, n2]) {
      // The first token comes well before the rest (which waits GAP_MS upstream)… A loaded machine
      // can deliver the first token late and so shorten the gap seen; a buffering hop shows none
      // (the control below: under 0.3 of it).
      expect(r.end - r.first, `through nginx: first token at ${r.first.toFixed(0)} ms, end at ${r.end.toFixed(0)} ms`).to.be.above(GAP_MS * 0.45);
      // …and no later than directly, within what a loaded 2-core machine adds for one more hop.
      expect(r.first, `TTFT through nginx ${r.first.toFixed(0)} ms vs direct ${d.first.toFixed(0)} ms`).to.be.below(d.first + 300);
    }
    expect(d.end - d.first).to.be.above(GAP_MS * 0.45);
    // The control: the compressing server holds the first token until the stream ends.
    expect(b.end - b.first, `buffered control: first token at ${b.first.toFixed(0)} ms, end at ${b.end.toFixed(0)} ms`).to.be.below(GAP_MS * 0.3);
  });

  it('spreads requests over both instances, and the ledger records the client\'s own address even when it sends X-Forwarded-For', async () => {
    const client = clientFrom(CLIENT_ADDRESS, `${nginxUrl}/v1`);
    const run = `nginx-${Date.now().toString(36)}`;
    const spoofs: (string | undefined)[] = [undefined, '6.6.6.6', '6.6.6.6, 7.7.7.7', 'not-an-address', undefined, '6.6.6.6', `${CLIENT_ADDRESS}0`, '::1'];
    const upstreams: string[] = [];
    const ids: string[] = [];
    for (const [n, spoof] of spoofs.entries()) {
      const id = `${run}-${n}`;
      ids.push(id);
      const headers: Record<string, string> = { 'x-request-id': id };
      if (spoof !== undefined) headers['x-forwarded-for'] = spoof;
      const { data, response } = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }] }, { headers }).withResponse();
      expect(data.choices[0]!.message.content).to.equal('ok');
      expect(response.headers.get('x-request-id')).to.equal(id);
      upstreams.push(response.headers.get('x-test-upstream') ?? '');
    }
    expect(new Set(upstreams), `answered by ${upstreams.join(' ')}`).to.have.keys(`127.0.0.1:${instances[0]!.port}`, `127.0.0.1:${instances[1]!.port}`);
    const addresses = await ledgerAddresses(ids);
    expect([...addresses.keys()].sort()).to.deep.equal([...ids].sort());
    for (const id of ids) expect(addresses.get(id), `ledger row ${id}`).to.equal(CLIENT_ADDRESS);
  });

  it('passes Codex\'s Responses WebSocket through: a turn on it is answered, and its row has the client\'s own address', async () => {
    const session = `nginx-ws-${Date.now().toString(36)}`;
    const ws = new WebSocket(`${nginxUrl.replace('http', 'ws')}/v1/responses`, { localAddress: CLIENT_ADDRESS, headers: { 'session-id': session, 'x-forwarded-for': '6.6.6.6' } });
    const text = await new Promise<string>((resolve, reject) => {
      let text = '';
      ws.once('open', () => ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', store: false, input: 'through nginx' })));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { type: string; delta?: string };
        if (m.type === 'response.output_text.delta') text += m.delta;
        if (m.type === 'error') reject(new Error(JSON.stringify(m)));
        if (m.type === 'response.completed') { ws.close(); resolve(text); }
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    expect(text).to.equal('Loopback reply. You said: through nginx');
    let rows: { method: string; client_address: string | null }[] = [];
    for (let tries = 0; rows.length === 0 && tries < 100; tries++) {
      for (const i of PG ? [instances[0]!] : instances) {
        const knex = openDatabase(i.database, i.dir);
        try {
          rows.push(...await knex(LEDGER_TABLE).where({ session_id: session }).select('method', 'client_address') as typeof rows);
        } finally {
          await knex.destroy();
        }
      }
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).to.deep.equal([{ method: 'WS', client_address: CLIENT_ADDRESS }]);
  });

  it('passes on every session header agents send (Codex\'s older `session_id` has an underscore, which nginx drops by default)', async () => {
    const client = clientFrom(CLIENT_ADDRESS, `${nginxUrl}/v1`);
    const run = `nginx-session-${Date.now().toString(36)}`;
    const sent: [string, string][] = [['x-claude-code-session-id', `${run}-claude`], ['session-id', `${run}-codex`], ['session_id', `${run}-codex-old`], ['x-session-id', `${run}-generic`]];
    const ids = sent.map(([name]) => `${run}-${name}`);
    for (const [n, [name, session]] of sent.entries()) {
      await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': ids[n]!, [name]: session } });
    }
    const sessions = await ledgerAddresses(ids, 'session_id');
    expect(ids.map((id) => sessions.get(id))).to.deep.equal(sent.map(([, session]) => session));
  });

  it('a client bypassing nginx cannot claim an address on the instance that trusts nginx by address', async () => {
    // Sluice with trust_proxy: [nginx's address] believes X-Forwarded-For only on nginx's connections.
    const client = clientFrom(CLIENT_ADDRESS, `http://127.0.0.1:${instances[1]!.port}/v1`);
    const id = `nginx-direct-${Date.now().toString(36)}`;
    await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': id, 'x-forwarded-for': '6.6.6.6' } });
    expect((await ledgerAddresses([id])).get(id)).to.equal(CLIENT_ADDRESS);
  });

  it('a body over server.body_limit gets Sluice\'s 413 in the client\'s envelope, not nginx\'s HTML page', async () => {
    const client = clientFrom(CLIENT_ADDRESS, `${nginxUrl}/v1`);
    // Just over the default 10 MiB body_limit: nginx must pass it on for Sluice to answer.
    const content = 'x'.repeat(10 * 1024 * 1024 + 1000);
    const err = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.APIError);
    const apiError = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).to.equal(413);
    // nginx's own refusal is an HTML page: the SDK then has no error object and no code.
    expect((apiError.error as { code?: string } | undefined)?.code, String(apiError.message).slice(0, 200)).to.equal('SLUICE_E_BODY_TOO_LARGE');
  });

  it('limits across both instances: a burst through nginx admits exactly the shared rpm, refusals in the OpenAI envelope', async function () {
    if (!REDIS) {
      console.warn('      skipped: the shared limit needs Redis (SLUICE_TEST_REDIS)');
      return this.skip();
    }
    const client = clientFrom(CLIENT_ADDRESS, `${nginxUrl}/v1`);
    const run = `nginx-rl-${Date.now().toString(36)}`;
    const burst = 4 * LIMITED_RPM;
    const results = await Promise.all(Array.from({ length: burst }, async (_, n) => {
      const headers = { 'x-request-id': `${run}-${n}`, 'x-forwarded-for': '6.6.6.6' };
      try {
        const { response } = await client.chat.completions.create({ model: LIMITED_MODEL, messages: [{ role: 'user', content: 'hi' }] }, { headers }).withResponse();
        return { status: response.status, upstream: response.headers.get('x-test-upstream'), remaining: response.headers.get('x-ratelimit-remaining-requests') };
      } catch (err) {
        if (!(err instanceof OpenAI.RateLimitError)) throw err;
        expect(err.headers?.get('retry-after'), 'retry-after on a refusal').to.match(/^\d+$/);
        expect((err.error as { code?: string }).code).to.equal('SLUICE_E_RATE_LIMITED');
        return { status: 429, upstream: err.headers?.get('x-test-upstream') ?? null, remaining: err.headers?.get('x-ratelimit-remaining-requests') ?? null };
      }
    }));
    const admitted = results.filter((r) => r.status === 200);
    expect(admitted.length, `statuses ${results.map((r) => r.status).join(' ')}`).to.equal(LIMITED_RPM);
    expect(results.filter((r) => r.status === 429).length).to.equal(burst - LIMITED_RPM);
    // Both instances took part: the limit held across them, not per instance.
    expect(new Set(results.map((r) => r.upstream)).size, 'both instances answered').to.equal(2);
    expect(admitted.map((r) => Number(r.remaining)).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: LIMITED_RPM }, (_, i) => i));
    // Refusals are in the ledger too, under the client's own address.
    const ids = results.map((_, n) => `${run}-${n}`);
    const addresses = await ledgerAddresses(ids);
    for (const id of ids) expect(addresses.get(id), `ledger row ${id}`).to.equal(CLIENT_ADDRESS);
  });
});
