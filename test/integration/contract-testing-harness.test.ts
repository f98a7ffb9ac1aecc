// `sluice/testing`, used the way a plugin author uses it: the plugin and the harness imported by
// package name, each plugin run on a synthetic exchange against a scripted upstream — no sockets,
// no gateway — and what the client would get asserted in its own protocol.
import { expect } from 'chai';
import { definePlugin, GatewayError, SchemaError, transformResponseBody, transformStream, z, type DeltaTransform, type JsonObject, type StreamEvent } from 'sluice';
import { createTestHost, runPlugin, testDatabase } from 'sluice/testing';

/** The plugin under test #1: answers some models itself, as a policy would. */
const policy = definePlugin({
  name: 'policy', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ refuse: z.array(z.string()).default([]), message: z.string().default('not allowed here') }),
  errors: { SLUICE_E_HARNESS_LIMIT: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED', outcome: 'blocked' } },
  setup(options) {
    let seen = 0;
    return {
      middleware: async ({ exchange }, next) => {
        seen++;
        if (seen > 3) throw new GatewayError('SLUICE_E_HARNESS_LIMIT', 'three is enough');
        if (exchange.model !== undefined && options.refuse.includes(exchange.model)) {
          exchange.reply({ text: options.message, outcome: 'blocked' });
          return;
        }
        await next();
      },
    };
  },
});

/** The plugin under test #2: replaces a word in any response, streamed or not, holding back partial matches. */
function swap(word: string, replacement: string): DeltaTransform {
  const held = new Map<string, string>();
  return {
    delta(ch, text) {
      const buf = ((held.get(ch.key) ?? '') + text).split(word).join(replacement);
      let keep = 0;
      for (let k = Math.min(word.length - 1, buf.length); k > 0; k--) if (word.startsWith(buf.slice(-k))) { keep = k; break; }
      held.set(ch.key, buf.slice(buf.length - keep));
      return buf.slice(0, buf.length - keep);
    },
    end(ch) { const rest = held.get(ch.key) ?? ''; held.delete(ch.key); return rest; },
  };
}
const redactor = definePlugin({
  name: 'redactor', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ word: z.string(), replacement: z.string().default('[redacted]') }),
  setup: (o) => ({
    middleware: async ({ exchange }, next) => {
      await next();
      const res = exchange.response;
      if (res?.kind === 'stream') res.events = transformStream(res.protocol, res.events, swap(o.word, o.replacement));
      else if (res) transformResponseBody(res.protocol, res.body, swap(o.word, o.replacement));
    },
  }),
});

const chatChunk = (delta: JsonObject, finish: string | null = null): StreamEvent =>
  ({ data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] } });
const chatText = (events: StreamEvent[] | undefined) => (events ?? []).map((e) => (e.data as { choices?: { delta?: { content?: string } }[] })?.choices?.[0]?.delta?.content ?? '').join('');

describe('contract: sluice/testing runs a plugin without a network', () => {
  describe('a reply plugin', () => {
    const options = { refuse: ['gpt-forbidden'], message: 'ask someone else' };

    it('answers in the client\'s protocol (Chat JSON and stream, Anthropic), recorded blocked, without calling the upstream', async () => {
      const json = await runPlugin(policy, { options, path: '/v1/chat/completions', body: { model: 'gpt-forbidden', messages: [{ role: 'user', content: 'hi' }] } });
      expect(json.status).to.equal(200);
      expect((json.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content).to.equal('ask someone else');
      expect(json.completion.outcome).to.equal('blocked');
      expect(json.upstreamRequests).to.deep.equal([]);

      const stream = await runPlugin(policy, { options, path: '/v1/chat/completions', body: { model: 'gpt-forbidden', stream: true, messages: [{ role: 'user', content: 'hi' }] } });
      expect(chatText(stream.events)).to.equal('ask someone else');
      expect(stream.completion.outcome).to.equal('blocked');

      const anthropic = await runPlugin(policy, { options, path: '/v1/messages', body: { model: 'gpt-forbidden', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] } });
      expect((anthropic.json as { content: { type: string; text: string }[] }).content).to.deep.equal([{ type: 'text', text: 'ask someone else' }]);
    });

    it('lets other models through to the scripted upstream, which sees the client\'s request', async () => {
      const upstream = { json: { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-ok', choices: [{ index: 0, message: { role: 'assistant', content: 'from upstream' }, finish_reason: 'stop' }] } };
      const r = await runPlugin(policy, { options, path: '/v1/chat/completions', body: { model: 'gpt-ok', messages: [{ role: 'user', content: 'hi' }] }, upstream });
      expect(r.completion).to.deep.equal({ outcome: 'success', status: 200 });
      expect(r.json).to.deep.equal(upstream.json);
      expect(r.upstreamRequests).to.have.length(1);
      expect(r.upstreamRequests[0]!.body).to.deep.include({ model: 'gpt-ok' });
    });

    it('keeps a plugin instance across runs when given one; its own error code renders in each family', async () => {
      const instance = await policy.setup!({ refuse: [], message: 'x' }, createTestHost());
      const runs = [];
      for (const path of ['/v1/chat/completions', '/v1/messages', '/v1beta/models/gemini-x:generateContent', '/v1/chat/completions', '/v1/messages', '/v1beta/models/gemini-x:generateContent']) {
        runs.push(await runPlugin(policy, { instance, path, body: { model: 'm', messages: [], contents: [] }, upstream: { json: {} } }));
      }
      expect(runs.map((r) => r.status)).to.deep.equal([200, 200, 200, 429, 429, 429]);
      expect(runs.slice(3).map((r) => r.completion.outcome)).to.deep.equal(['blocked', 'blocked', 'blocked']);
      expect(runs[3]!.json).to.deep.equal({ error: { message: 'three is enough', type: 'rate_limit_error', param: null, code: 'SLUICE_E_HARNESS_LIMIT' } });
      expect(runs[4]!.json).to.deep.equal({ type: 'error', error: { type: 'rate_limit_error', message: 'three is enough' } });
      expect(runs[5]!.json).to.deep.equal({ error: { code: 429, message: 'three is enough', status: 'RESOURCE_EXHAUSTED' } });
    });

    it('validates options with the plugin\'s schema', async () => {
      const err = await runPlugin(policy, { options: { refuse: 'all' }, path: '/v1/chat/completions', body: { model: 'm', messages: [] } }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(SchemaError);
      expect((err as Error).message).to.match(/^refuse: expected/);
    });
  });

  describe('the exchange as a gateway builds it', () => {
    // A plugin that keys anything by session (a loop detector's log line, a per-session budget)
    // must see the session the client named, from the same headers a gateway reads, in any case.
    const sessions = definePlugin({
      name: 'sessions', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
      setup: () => ({ middleware: async ({ exchange }) => { exchange.reply({ text: `${exchange.sessionId ?? 'none'} ${exchange.headers['x-team'] ?? '-'}` }); } }),
    });
    const said = async (headers: Record<string, string>, body: JsonObject) =>
      ((await runPlugin(sessions, { path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01', ...headers }, body })).json as { content: { text: string }[] }).content[0]!.text;
    const ask = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

    it('carries the session id (Claude Code\'s header or metadata, x-session-id) and header names in lower case', async () => {
      expect(await said({ 'X-Claude-Code-Session-Id': '0bdc681a-a1c6', 'X-Team': 'search' }, ask)).to.equal('0bdc681a-a1c6 search');
      expect(await said({}, { ...ask, metadata: { user_id: '{"device_id":"d","session_id":"s-42"}' } })).to.equal('s-42 -');
      expect(await said({ 'x-session-id': 'agent-7' }, ask)).to.equal('agent-7 -');
      expect(await said({}, ask)).to.equal('none -');
    });
  });

  describe('a plugin with tables and an admin route', () => {
    const notes = definePlugin({
      name: 'notes', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
      migrations: [{ name: '001_create', up: (knex) => knex.schema.createTable('notes', (t) => { t.increments('id'); t.text('model'); }) }],
      setup(_o, host) {
        host.addAdminRoute('GET', '/notes', async () => ({ body: { notes: await (await host.database())('notes').select('model') } }));
        return { middleware: async ({ exchange }, next) => { await (await host.database())('notes').insert({ model: exchange.model }); await next(); } };
      },
    });

    it('runs against testDatabase (its migrations applied) and its admin route reads what the request wrote', async () => {
      const db = await testDatabase(notes);
      try {
        const r = await runPlugin(notes, { host: { database: async () => db }, path: '/v1/chat/completions', body: { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }, upstream: { json: { id: 'x', object: 'chat.completion', choices: [] } } });
        expect(r.status).to.equal(200);
        const listed = await r.adminRoutes.get('GET /notes')!({ method: 'GET', path: '/admin/notes', params: {}, query: {}, body: undefined, signal: new AbortController().signal });
        expect(listed.body).to.deep.equal({ notes: [{ model: 'gpt-x' }] });
      } finally {
        await db.destroy();
      }
    });
  });

  describe('a transform plugin', () => {
    it('replaces a word split across Chat stream chunks, flushing the held tail before the stream ends', async () => {
      const events = [chatChunk({ role: 'assistant', content: '' }), chatChunk({ content: 'the SEC' }), chatChunk({ content: 'RET is SE' }), chatChunk({}, 'stop')];
      const r = await runPlugin(redactor, { options: { word: 'SECRET' }, path: '/v1/chat/completions', body: { model: 'm', stream: true, messages: [] }, upstream: { events } });
      expect(r.status).to.equal(200);
      expect(chatText(r.events)).to.equal('the [redacted] is SE');
      // The held tail rides on the finishing chunk.
      expect(r.events!.at(-1)!.data).to.deep.include({ choices: [{ index: 0, delta: { content: 'SE' }, finish_reason: 'stop' }] });
    });

    it('…and in a Gemini stream and an Anthropic JSON answer', async () => {
      const gemini = await runPlugin(redactor, {
        options: { word: 'SECRET', replacement: '***' }, path: '/v1beta/models/gemini-x:streamGenerateContent', body: { contents: [] },
        upstream: { events: [
          { data: { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'a SE' }] } }] } },
          { data: { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'CRET' }] }, finishReason: 'STOP' }] } },
        ] },
      });
      const text = gemini.events!.flatMap((e) => (e.data as { candidates: { content?: { parts: { text?: string }[] } }[] }).candidates[0]!.content?.parts ?? []).map((p) => p.text ?? '').join('');
      expect(text).to.equal('a ***');

      const anthropic = await runPlugin(redactor, {
        options: { word: 'SECRET' }, path: '/v1/messages', body: { model: 'm', max_tokens: 8, messages: [] },
        upstream: { json: { id: 'msg', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'my SECRET' }, { type: 'tool_use', id: 't', name: 'f', input: { k: 'SECRET' } }], stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } },
      });
      const content = (anthropic.json as { content: unknown[] }).content;
      expect(content).to.deep.equal([{ type: 'text', text: 'my [redacted]' }, { type: 'tool_use', id: 't', name: 'f', input: { k: '[redacted]' } }]);
    });
  });

  // The headers a plugin adds (a rate limit's remaining count, a policy's reason) are part of what
  // the client gets: the result shows them as a gateway writes them, not only through r.exchange.
  describe('response headers', () => {
    const tagger = definePlugin({
      name: 'tagger', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ fail: z.boolean().default(false) }),
      errors: { SLUICE_E_TAGGER_LIMIT: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED', outcome: 'blocked' } },
      setup: (o) => ({
        middleware: async ({ exchange }, next) => {
          exchange.responseHeaders['X-Tagger-Remaining'] = '41';
          if (o.fail) throw new GatewayError('SLUICE_E_TAGGER_LIMIT', 'slow down', { retryAfter: '2' });
          await next();
        },
      }),
    });
    const chatJson = { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };

    it('a JSON answer: the plugin\'s and the response\'s own headers, the request id and the content type', async () => {
      const r = await runPlugin(tagger, {
        path: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
        upstream: (request) => ({ kind: 'json', status: 200, headers: { 'x-upstream-region': 'eu' }, protocol: request.protocol, body: chatJson }),
      });
      expect(r.status).to.equal(200);
      expect(r.headers).to.include({ 'x-tagger-remaining': '41', 'x-upstream-region': 'eu', 'x-request-id': 'req_test', 'content-type': 'application/json; charset=utf-8' });
      expect(r.headers['x-sluice-overhead-ms']).to.match(/^\d+\.\d{3}$/);
    });

    it('a stream: the plugin\'s header and the stream\'s content type', async () => {
      const r = await runPlugin(tagger, {
        path: '/v1/chat/completions', body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
        upstream: { events: [chatChunk({ content: 'ok' }, 'stop')] },
      });
      expect(r.headers).to.include({ 'x-tagger-remaining': '41', 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    });

    it('an error: the plugin\'s header kept, with the error\'s code and retry-after', async () => {
      const r = await runPlugin(tagger, { options: { fail: true }, path: '/v1/messages', body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } });
      expect(r.status).to.equal(429);
      expect(r.headers).to.include({ 'x-tagger-remaining': '41', 'x-sluice-error-code': 'SLUICE_E_TAGGER_LIMIT', 'retry-after': '2', 'content-type': 'application/json; charset=utf-8' });
    });
  });
  describe('authentication, as the gateway runs it', () => {
    // A slip a plugin author can make: a path of authenticate that returns nothing. The gateway fails
    // closed (500); the harness must too, or the author's test passes on a plugin that breaks in production.
    const forgetful = definePlugin({
      name: 'forgetful', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
      setup() {
        return {
          authenticates: true,
          authenticate: (request) => (request.headers['x-who'] === 'ann' ? { user: 'ann' } : undefined) as unknown as { user: string },
        };
      },
    });
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const chatOk = { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };

    it('an authenticate that names nobody fails closed with the gateway\'s 500, the upstream not called', async () => {
      const r = await runPlugin(forgetful, { path: '/v1/chat/completions', body, upstream: { json: chatOk } });
      expect(r.status).to.equal(500);
      expect(r.json).to.have.nested.property('error.code', 'SLUICE_E_INTERNAL');
      expect(r.upstreamRequests).to.have.length(0);
      const ann = await runPlugin(forgetful, { path: '/v1/chat/completions', headers: { 'x-who': 'ann' }, body, upstream: { json: chatOk } });
      expect(ann.status).to.equal(200);
      expect(ann.exchange.principal).to.deep.equal({ user: 'ann' });
    });
  });
});
