// The Responses API over a WebSocket (OpenAI's "WebSocket mode", Codex CLI's first choice of
// transport), on a real socket through the real gateway: each response.create is one turn through
// the whole chain (router, translator, ledger), answered with the same events an SSE stream
// carries; a turn chained by previous_response_id reaches the provider as the whole conversation.
import { expect } from 'chai';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { Client, completedOf, textOf, type Msg } from '../helpers/socket-client.js';
import { until } from '../plugins/ledger/client.js';

const TOOLS = [{ type: 'function', name: 'lookup', description: 'Look a word up', strict: false, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];

/** A gateway on the loopback model whose server.body_limit is 2 KB. */
const smallBodyLimitGateway = () => startGateway(`server: { body_limit: 2kb }
storage: { database: "sqlite::memory:" }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
`);

describe('Responses API over WebSocket', function () {
  this.timeout(30_000);
  let up: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(`server: { shutdown_grace_ms: 3000 }
storage: { database: "sqlite:./ledger.db" }
providers:
  local: { type: loopback }
  claude: { type: anthropic, base_url: "${up.origin}", api_key: test-key }
  oai: { type: openai, base_url: "${up.origin}/v1", api_key: test-key }
chain:
  - use: router
    with:
      routes:
        - { match: "claude-*", provider: claude }
        - { match: "gpt-*", provider: oai }
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 50 }
`);
  });
  after(async () => { await gw.close(); await up.close(); });

  async function ledgerRows(session: string, count: number): Promise<Record<string, unknown>[]> {
    const knex = openDatabase('sqlite:./ledger.db', gw.dir);
    try {
      let rows: Record<string, unknown>[] = [];
      await until(async () => {
        rows = await knex('ledger_requests').where({ session_id: session }).orderBy('time_ms').select('request_id', 'method', 'path', 'endpoint', 'provider', 'status', 'outcome', 'error_code', 'stream', 'input_tokens');
        return rows.length >= count;
      });
      return rows;
    } finally {
      await knex.destroy();
    }
  }

  for (const model of ['loopback', 'claude-sonnet-4-5']) {
    it(`streams the same events a Responses SSE stream carries, for the same request (${model})`, async () => {
      up.answer = { text: ['Hello', ' world'] };
      const body = { model, input: 'compare the transports', store: false, tools: TOOLS };
      const http = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
      const sse = (await http.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as Msg);
      const client = await Client.open(gw.url);
      const ws = await client.turn({ type: 'response.create', ...body });
      client.close();
      // Ids and times are each request's own; everything else is the same event for event.
      const ids = new Map<string, string>();
      const plain = (msgs: Msg[]) => JSON.stringify(msgs)
        .replace(/(?:resp_|msg_|req_?)[0-9a-f]{20,}/g, (id) => { if (!ids.has(id)) ids.set(id, `ID${ids.size}`); return ids.get(id)!; })
        .replace(/"created_at":\d+/g, '"created_at":0');
      expect(ws.map((m) => m.type)).to.deep.equal(sse.map((m) => m.type));
      ids.clear();
      const a = plain(ws);
      ids.clear();
      expect(a).to.equal(plain(sse));
      expect(ws.at(-1)!.type).to.equal('response.completed');
    });
  }

  it('the official SDK (openai ResponsesWS) reads a prewarm, a chained turn and their events', async () => {
    const sdk = new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/v1` });
    const rws = new ResponsesWS(sdk, { headers: { 'session-id': 'sess-ws-sdk' } });
    const events: { type: string; response?: { id: string }; delta?: string }[] = [];
    const errors: unknown[] = [];
    rws.on('error', (e) => errors.push(e));
    const completed = () => new Promise<string>((resolve) => {
      const on = (ev: { type: string; response: { id: string } }) => { rws.off('response.completed', on); resolve(ev.response.id); };
      rws.on('response.completed', on);
    });
    rws.on('event', (ev) => events.push(ev as { type: string }));
    let done = completed();
    // `generate` is newer than this SDK's types; the SDK sends the event as given.
    const prewarm = { type: 'response.create' as const, model: 'loopback', store: false, generate: false, input: [{ type: 'message' as const, role: 'developer' as const, content: 'Be brief.' }] };
    rws.send(prewarm);
    const prepared = await done;
    done = completed();
    rws.send({ type: 'response.create', model: 'loopback', store: false, previous_response_id: prepared, input: 'hello over the socket' });
    const answered = await done;
    rws.close();
    expect(errors).to.deep.equal([]);
    expect(prepared).to.match(/^resp_/);
    expect(answered).to.not.equal(prepared);
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(text).to.equal('Loopback reply. You said: hello over the socket');
    const rows = await ledgerRows('sess-ws-sdk', 2);
    expect(rows.map((r) => [r['method'], r['endpoint'], r['provider'], r['status'], r['outcome']])).to.deep.equal([
      ['WS', 'openai.responses', null, 200, 'success'],
      ['WS', 'openai.responses', 'local', 200, 'success'],
    ]);
  });

  it('a prewarm, a chained turn and a tool-output turn reach an Anthropic model as the whole conversation, one ledger row each', async () => {
    up.requests.length = 0;
    const client = await Client.open(gw.url, { 'session-id': 'sess-ws-claude', 'openai-beta': 'responses_websockets=2026-02-06' });
    const base = { model: 'claude-sonnet-4-5', store: false, tools: TOOLS, tool_choice: 'auto', stream: true };
    const prewarm = await client.turn({ type: 'response.create', ...base, generate: false, input: [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are terse.' }] }] });
    expect(prewarm.map((m) => m.type)).to.deep.equal(['response.created', 'response.completed']);
    expect(completedOf(prewarm).output).to.deep.equal([]);
    expect(up.requests).to.have.length(0); // no model call for a prewarm

    up.answer = { text: ['Let me look.'], args: ['{"q":', '"socket"}'] };
    const first = await client.turn({ type: 'response.create', ...base, previous_response_id: completedOf(prewarm).id, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is a socket?' }] }] });
    expect(first.at(-1)!.type).to.equal('response.completed');
    const call = completedOf(first).output.find((o) => o.type === 'function_call')!;
    expect(call.name).to.equal('lookup');

    up.answer = { text: ['A socket is an endpoint.'] };
    const second = await client.turn({ type: 'response.create', ...base, previous_response_id: completedOf(first).id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'an endpoint of a connection' }] });
    client.close();
    expect(textOf(second)).to.equal('A socket is an endpoint.');

    // The upstream saw two whole, stateless Messages requests: the developer text as system, the
    // user's question, then the assistant's tool_use and the user's tool_result.
    expect(up.requests.map((r) => r.url)).to.deep.equal(['/v1/messages', '/v1/messages']);
    const last = up.requests[1]!.body as { system?: unknown; messages: { role: string; content: { type: string; text?: string; content?: unknown }[] }[] };
    expect(JSON.stringify(last.system)).to.include('You are terse.');
    expect(last.messages.map((m) => [m.role, m.content.map((c) => c.type)])).to.deep.equal([
      ['user', ['text']], ['assistant', ['text', 'tool_use']], ['user', ['tool_result']],
    ]);
    expect(up.requests.every((r) => r.headers['openai-beta'] === undefined)).to.equal(true);

    const rows = await ledgerRows('sess-ws-claude', 3);
    expect(rows.map((r) => [r['method'], r['path'], r['provider'], r['status'], r['outcome'], r['stream']])).to.deep.equal([
      ['WS', '/v1/responses', null, 200, 'success', 1],
      ['WS', '/v1/responses', 'claude', 200, 'success', 1],
      ['WS', '/v1/responses', 'claude', 200, 'success', 1],
    ]);
    expect(new Set(rows.map((r) => r['request_id'])).size).to.equal(3);
  });

  it('a prewarm continuing a response only the upstream holds keeps that previous_response_id on the turns chained from it', async () => {
    up.requests.length = 0;
    up.answer = { text: ['Go on.'] };
    const client = await Client.open(gw.url, { 'session-id': 'sess-ws-upstream-previous' });
    const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
    const prewarm = await client.turn({ type: 'response.create', model: 'gpt-5', previous_response_id: 'resp_stored_upstream', input: [user('warm')], generate: false });
    const first = await client.turn({ type: 'response.create', model: 'gpt-5', previous_response_id: completedOf(prewarm).id, input: [user('first')] });
    const second = await client.turn({ type: 'response.create', model: 'gpt-5', previous_response_id: completedOf(first).id, input: [user('second')] });
    client.close();
    expect(second.at(-1)!.type).to.equal('response.completed');
    // What the prewarm continued is only upstream: each turn still names it, after the items the socket holds.
    const sent = up.requests.map((r) => r.body as { previous_response_id?: string; input: { type: string; role?: string }[] });
    expect(sent.map((b) => b.previous_response_id)).to.deep.equal(['resp_stored_upstream', 'resp_stored_upstream']);
    expect(sent.map((b) => b.input.map((i) => i.role ?? i.type))).to.deep.equal([['user', 'user'], ['user', 'user', 'assistant', 'user']]);
  });

  it('a previous_response_id the socket does not hold, with store: false, is previous_response_not_found', async () => {
    const client = await Client.open(gw.url, { 'session-id': 'sess-ws-missing' });
    const [error] = await client.turn({ type: 'response.create', model: 'loopback', store: false, previous_response_id: 'resp_elsewhere', input: 'hi' });
    expect(error).to.deep.include({ type: 'error', status: 400 });
    expect(error!['error']).to.deep.include({ code: 'previous_response_not_found', param: 'previous_response_id', type: 'invalid_request_error' });
    // The socket is still usable, and the whole conversation sent again is answered.
    const again = await client.turn({ type: 'response.create', model: 'loopback', store: false, input: 'hi again' });
    client.close();
    expect(textOf(again)).to.equal('Loopback reply. You said: hi again');
    const rows = await ledgerRows('sess-ws-missing', 2);
    expect(rows.map((r) => [r['status'], r['error_code']])).to.deep.equal([[400, 'SLUICE_E_INVALID_REQUEST'], [200, null]]);
  });

  it('a response.create sent while one runs waits its turn: each turn\'s events in order, never interleaved', async () => {
    const client = await Client.open(gw.url);
    const from = client.messages.length;
    client.ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', input: 'first' }));
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', input: 'second' }));
    const first = await client.until(from);
    const bad = await client.until(from + first.length);
    const second = await client.until(from + first.length + bad.length);
    client.close();
    expect(textOf(first)).to.equal('Loopback reply. You said: first');
    expect(bad.map((m) => m.type)).to.deep.equal(['error']);
    expect(second[0]!.type).to.equal('response.created');
    expect(textOf(second)).to.equal('Loopback reply. You said: second');
  });

  it('a client that stops reading is not answered past what it has read: the gateway stops reading its messages, and resumes when it reads again', async () => {
    // Each prepared turn (generate: false) is answered at once with two messages of ~33 KB.
    const message = JSON.stringify({ type: 'response.create', model: `m-${'x'.repeat(16_000)}`, input: 'p', generate: false });
    const turns = 1200; // ~40 MB of answers: far more than the sockets' kernel buffers hold
    const client = await Client.open(gw.url, { 'session-id': 'sess-ws-unread' });
    let counted = 0;
    let read = gw.logs.length;
    const answered = () => {
      for (; read < gw.logs.length; read++) if (gw.logs[read]!.includes('"session":"sess-ws-unread"') && gw.logs[read]!.includes('"msg":"request"')) counted++;
      return counted;
    };
    let sent = 0;
    /** Sends the turns a few at a time (never more than 8 ahead, which closes the socket) until all are sent or none is answered for `quietMs`. */
    const send = async (quietMs: number) => {
      let seen = answered();
      let since = Date.now();
      while (sent < turns && Date.now() - since < quietMs) {
        const now = answered();
        if (now !== seen) { seen = now; since = Date.now(); }
        if (sent - now < 4) { client.ws.send(message); sent++; } else await new Promise((r) => setTimeout(r, 5));
      }
    };
    client.ws.pause(); // reads nothing from here on
    await send(1000);
    expect(answered()).to.be.below(turns / 2); // ~36 MB would have been held for it
    client.ws.resume();
    await send(10_000);
    await until(() => client.messages.filter((m) => m.type === 'response.completed').length === turns, 20_000);
    client.close();
    expect(answered()).to.equal(turns);
  });

  it('a message that is not JSON, or not a response.create, gets an error message and the socket stays open', async () => {
    const client = await Client.open(gw.url, { 'session-id': 'sess-ws-bad' });
    const [bad] = await client.turn('{"type": "response.create", ');
    expect(bad).to.deep.include({ type: 'error', status: 400 });
    expect(bad!['error']).to.deep.include({ code: 'SLUICE_E_BAD_JSON' });
    const [unknown] = await client.turn({ type: 'session.update' });
    expect(unknown!['error']).to.deep.include({ code: 'SLUICE_E_INVALID_REQUEST', param: 'type' });
    const [noModel] = await client.turn({ type: 'response.create', input: 'hi' });
    expect(noModel).to.deep.include({ type: 'error', status: 400 });
    expect(noModel!['error']).to.deep.include({ code: 'SLUICE_E_MISSING_MODEL' });
    // A mistyped generate is refused, not taken as a call of the model the client meant only to prepare.
    const [mistyped] = await client.turn({ type: 'response.create', model: 'loopback', input: 'hi', generate: 'no' });
    expect(mistyped).to.deep.include({ type: 'error', status: 400 });
    expect(mistyped!['error']).to.deep.include({ code: 'SLUICE_E_INVALID_REQUEST', param: 'generate' });
    // Codex's acknowledgement of a handled response is taken without an answer.
    client.ws.send(JSON.stringify({ type: 'response.processed', response_id: 'resp_x' }));
    const fine = await client.turn({ type: 'response.create', model: 'loopback', input: 'still here' });
    client.close();
    expect(textOf(fine)).to.equal('Loopback reply. You said: still here');
    const rows = await ledgerRows('sess-ws-bad', 5);
    expect(rows.map((r) => r['status'])).to.deep.equal([400, 400, 400, 400, 200]);
  });

  it('a client that closes mid-turn aborts the upstream call; its row says client_disconnect', async () => {
    let aborted!: () => void;
    const upstreamGone = new Promise<void>((resolve) => { aborted = resolve; });
    up.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 0 } } })}\n\n`);
      res.write(`event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`);
      res.write(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'slow' } })}\n\n`);
      res.on('close', aborted); // never ends on its own
    });
    try {
      const client = await Client.open(gw.url, { 'session-id': 'sess-ws-gone' });
      const from = client.messages.length;
      client.ws.send(JSON.stringify({ type: 'response.create', model: 'claude-sonnet-4-5', input: 'go slowly' }));
      await until(() => client.messages.slice(from).some((m) => m.type === 'response.output_text.delta'));
      client.ws.terminate();
      await upstreamGone;
      const [row] = await ledgerRows('sess-ws-gone', 1);
      expect(row).to.deep.include({ outcome: 'client_disconnect', provider: 'claude' });
    } finally {
      up.handle();
    }
  });

  it('counts the open sockets in sluice_websocket_connections', async () => {
    const gauge = async () => Number(/^sluice_websocket_connections (\d+)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1]);
    const before = await gauge();
    const client = await Client.open(gw.url);
    expect(await gauge()).to.equal(before + 1);
    client.close();
    await until(async () => (await gauge()) === before);
  });

  it('without authentication, a web page elsewhere is refused the socket (403), as its HTTP requests are', async () => {
    // Browsers open WebSockets across origins without asking (no CORS): the Origin rule is all
    // that keeps a page from spending this gateway's provider keys through it.
    const foreign = await Client.open(gw.url, { origin: 'https://evil.example' }).catch((e: { status: number; body: string }) => e);
    expect(foreign).to.include({ status: 403 });
    expect(JSON.parse((foreign as { body: string }).body)).to.have.nested.property('error.code', 'SLUICE_E_FORBIDDEN');
    const local = await Client.open(gw.url, { origin: 'http://localhost:3000' });
    local.close();
  });

  it('a client naming only the socket protocol\'s first version (response.append) gets the 426 and uses HTTP; v2 is served', async () => {
    const v1 = await Client.open(gw.url, { 'openai-beta': 'responses_websockets=2026-02-04' }).catch((e: { status: number }) => e);
    expect(v1).to.include({ status: 426 });
    const both = await Client.open(gw.url, { 'openai-beta': 'responses_websockets=2026-02-04, responses_websockets=2026-02-06' });
    both.close();
    const v2 = await Client.open(gw.url, { 'openai-beta': 'responses_websockets=2026-02-06' });
    v2.close();
  });

  it('other upgrades are still refused with 426; a handshake without a key is a 400', async () => {
    const refused = await Client.open(gw.url, {}, '/v1/chat/completions').catch((e: { status: number; body: string }) => e);
    expect(refused).to.include({ status: 426 });
    expect(JSON.parse((refused as { body: string }).body)).to.have.nested.property('error.code', 'websocket_not_supported');
    const port = Number(new URL(gw.url).port);
    const { rawRequest } = await import('../helpers/raw-http.js');
    const bare = await rawRequest(port, 'GET /v1/responses HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-request-id: ws-bare\r\n\r\n');
    expect(bare.status).to.equal(400);
    expect(bare.headers['x-request-id']).to.equal('ws-bare');
    expect(JSON.parse(bare.body)).to.have.nested.property('error.code', 'SLUICE_E_INVALID_REQUEST');
  });
});

declare global {
  // eslint-disable-next-line no-var
  var __annRevoked: boolean | undefined;
}

/** Authenticates ann's key (until it is revoked) and refuses anyone else, as an auth plugin would. */
const DOOR = `import { definePlugin, GatewayError, z } from 'sluice';
export default definePlugin({ name: 'door', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({
    authenticates: true,
    authenticate(request) {
      if (request.headers['authorization'] === 'Bearer ann-key' && !globalThis.__annRevoked) return { user: 'ann' };
      throw new GatewayError('SLUICE_E_UNAUTHORIZED', 'a valid key is required');
    },
  }) });`;

/** A gateway on the loopback model whose chain authenticates with DOOR. */
const doorGateway = () => startGateway(`storage: { database: "sqlite::memory:" }
providers:
  local: { type: loopback }
chain:
  - use: ./door.js
  - use: router
    with: { default: local }
`, { files: { 'door.js': DOOR } });

/** Rewrites each request in place, as a redacting plugin does: every input text gets a "!" added. */
const SHOUT = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'shout', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({
    middleware: async ({ exchange }, next) => {
      const input = exchange.request.input;
      if (Array.isArray(input)) for (const item of input) for (const part of Array.isArray(item.content) ? item.content : []) if (part.type === 'input_text') part.text += '!';
      await next();
    },
  }) });`;

describe('Responses API over WebSocket: a chain that rewrites requests', function () {
  this.timeout(30_000);

  it('a chained turn replays what the client sent, not what a plugin made of it for the last turn', async () => {
    const up = await startRecordingUpstream();
    const gw = await startGateway(`storage: { database: "sqlite::memory:" }
providers:
  claude: { type: anthropic, base_url: "${up.origin}", api_key: test-key }
chain:
  - use: ./shout.js
  - use: router
    with: { default: claude }
  - use: translator
`, { files: { 'shout.js': SHOUT } });
    try {
      const client = await Client.open(gw.url);
      const text = (t: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text: t }] });
      const first = await client.turn({ type: 'response.create', model: 'claude-x', store: false, input: [text('hello')] });
      await client.turn({ type: 'response.create', model: 'claude-x', store: false, previous_response_id: completedOf(first).id, input: [text('again')] });
      client.close();
      // Over HTTP the client would send 'hello' again and the plugin make it 'hello!' once more.
      const users = (i: number) => (up.requests[i]!.body as { messages: { role: string; content: { text?: string }[] }[] }).messages
        .filter((m) => m.role === 'user').map((m) => m.content.map((c) => c.text).join(''));
      expect(users(0)).to.deep.equal(['hello!']);
      expect(users(1)).to.deep.equal(['hello!', 'again!']);
    } finally {
      await gw.close();
      await up.close();
    }
  });
});

describe('Responses API over WebSocket: authentication and shutdown', function () {
  this.timeout(30_000);

  it('a refused key gets its 401 at the upgrade, with no socket; a valid one is the principal of every turn', async () => {
    const gw = await doorGateway();
    try {
      const refused = await Client.open(gw.url, { authorization: 'Bearer wrong', 'x-request-id': 'ws-refused' }).catch((e: { status: number; body: string }) => e);
      expect(refused).to.include({ status: 401 });
      expect(JSON.parse((refused as { body: string }).body)).to.deep.include({ error: { message: 'a valid key is required', type: 'authentication_error', param: null, code: 'SLUICE_E_UNAUTHORIZED' } });
      const client = await Client.open(gw.url, { authorization: 'Bearer ann-key' });
      const turn = await client.turn({ type: 'response.create', model: 'loopback', input: 'who am I' });
      expect(turn.at(-1)!.type).to.equal('response.completed');
      // The key is revoked while the socket is open: its next turn is refused, as its next HTTP request would be.
      globalThis.__annRevoked = true;
      const [refusedTurn] = await client.turn({ type: 'response.create', model: 'loopback', input: 'and now?' });
      client.close();
      expect(refusedTurn).to.deep.include({ type: 'error', status: 401 });
      const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
      expect(lines.find((l) => l['request_id'] === 'ws-refused')).to.include({ status: 401, error: 'SLUICE_E_UNAUTHORIZED' });
      expect(lines.filter((l) => l['endpoint'] === 'openai.responses' && l['status'] === 200).map((l) => l['user'])).to.deep.equal(['ann']);
    } finally {
      await gw.close();
    }
  });

  it('a key revoked while the socket is open is refused its next generate: false turn too (401), not answered and recorded 200', async () => {
    globalThis.__annRevoked = false;
    const gw = await doorGateway();
    try {
      const client = await Client.open(gw.url, { authorization: 'Bearer ann-key' });
      const prewarm = await client.turn({ type: 'response.create', model: 'loopback', input: 'warm', generate: false });
      expect(prewarm.at(-1)!.type).to.equal('response.completed');
      globalThis.__annRevoked = true;
      const [refused] = await client.turn({ type: 'response.create', model: 'loopback', input: 'warm again', generate: false });
      client.close();
      expect(refused).to.deep.include({ type: 'error', status: 401 });
      expect(refused!['error']).to.deep.include({ code: 'SLUICE_E_UNAUTHORIZED', type: 'authentication_error' });
      const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request' && l['endpoint'] === 'openai.responses');
      expect(lines.map((l) => l['status'])).to.deep.equal([200, 401]);
    } finally {
      globalThis.__annRevoked = false;
      await gw.close();
    }
  });

  it('a message over server.body_limit closes the socket (1009); the gateway goes on serving', async () => {
    const gw = await smallBodyLimitGateway();
    try {
      const client = await Client.open(gw.url);
      client.ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', input: 'x'.repeat(4096) }));
      await until(() => client.closed !== undefined);
      expect(client.closed!.code).to.equal(1009);
      const again = await Client.open(gw.url);
      const turn = await again.turn({ type: 'response.create', model: 'loopback', input: 'small' });
      again.close();
      expect(textOf(turn)).to.equal('Loopback reply. You said: small');
    } finally {
      await gw.close();
    }
  });

  it('a chained turn whose whole conversation passes server.body_limit gets a 413 error, as the same conversation POSTed would', async () => {
    const gw = await smallBodyLimitGateway();
    try {
      const client = await Client.open(gw.url);
      const first = await client.turn({ type: 'response.create', model: 'loopback', store: false, input: 'a'.repeat(1200) });
      expect(first.at(-1)!.type).to.equal('response.completed');
      // Each message alone is under the limit; the conversation it continues is not.
      const next = await client.turn({ type: 'response.create', model: 'loopback', store: false, previous_response_id: completedOf(first).id, input: 'b'.repeat(900) });
      expect(next).to.have.length(1);
      expect(next[0]).to.include({ type: 'error', status: 413 });
      expect((next[0]!['headers'] as Record<string, string>)['x-sluice-error-code']).to.equal('SLUICE_E_BODY_TOO_LARGE');
      // The socket stays usable: a turn that starts afresh is served.
      const fresh = await client.turn({ type: 'response.create', model: 'loopback', store: false, input: 'small' });
      client.close();
      expect(textOf(fresh)).to.equal('Loopback reply. You said: small');
    } finally {
      await gw.close();
    }
  });

  it('a shutdown lets the turn in flight finish, then closes the socket with 1001; new upgrades are refused', async () => {
    const up = await startRecordingUpstream();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    up.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (data: Record<string, unknown>) => res.write(`event: ${String(data['type'])}\ndata: ${JSON.stringify(data)}\n\n`);
      ev({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 0 } } });
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'before ' } });
      await held;
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'and after' } });
      ev({ type: 'content_block_stop', index: 0 });
      ev({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } });
      ev({ type: 'message_stop' });
      res.end();
    });
    const gw = await startGateway(`server: { shutdown_grace_ms: 5000 }
storage: { database: "sqlite::memory:" }
providers:
  claude: { type: anthropic, base_url: "${up.origin}", api_key: test-key }
chain:
  - use: router
    with: { default: claude }
  - use: translator
`);
    try {
      const idle = await Client.open(gw.url);
      const busy = await Client.open(gw.url);
      const from = busy.messages.length;
      busy.ws.send(JSON.stringify({ type: 'response.create', model: 'claude-x', input: 'take your time' }));
      await until(() => busy.messages.slice(from).some((m) => m.type === 'response.output_text.delta'));
      // Sent while the first runs: it waits, and is answered after it, never among its events.
      busy.ws.send(JSON.stringify({ type: 'response.create', model: 'claude-x', input: 'and then this' }));
      const stopped = gw.running.shutdown('test');
      await until(() => idle.closed !== undefined);
      expect(idle.closed).to.deep.equal({ code: 1001, reason: 'the gateway is shutting down' });
      expect(busy.closed).to.equal(undefined);
      const late = await Client.open(gw.url).catch((e: { status?: number; code?: string }) => e);
      expect(late).to.satisfy((e: { status?: number; code?: string }) => e.status === 503 || e.code === 'ECONNREFUSED');
      release();
      const turn = await busy.until(from);
      expect(textOf(turn)).to.equal('before and after');
      expect(turn.at(-1)!.type).to.equal('response.completed');
      const waited = await busy.until(from + turn.length);
      expect(waited).to.have.length(1);
      expect(waited[0]).to.deep.include({ type: 'error', status: 503 });
      expect(waited[0]!['error']).to.deep.include({ code: 'SLUICE_E_SHUTTING_DOWN' });
      await until(() => busy.closed !== undefined);
      expect(busy.closed!.code).to.equal(1001);
      await stopped;
    } finally {
      release();
      await gw.close();
      await up.close();
    }
  });
});
