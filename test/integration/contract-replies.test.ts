// Replies, from a plugin's side: `exchange.reply(...)` answers without any upstream call, rendered
// in the client's protocol — JSON, or a stream when the client asked for one — and the request is
// recorded with the outcome the plugin chose (`blocked` for a policy answer) in the access log, in
// `exchange.completed` and in every plugin's `onRequest`. Each official SDK parses the answer.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { familyProviders, familyRouter, logLineFor, modelIn, waitFor } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { anthropicClient, GENERATE, genaiClient, openaiClient, type GenProtocol } from '../helpers/translation-rig.js';

const REFUSAL = 'I cannot help with that.';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'refuser', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({
    middleware: async ({ exchange }, next) => {
      exchange.completed.then((c) => { (globalThis.__replyCompleted ??= {})[exchange.id] = c.outcome; });
      if (exchange.model.endsWith('-refuse')) {
        exchange.reply({ text: ${JSON.stringify(REFUSAL)}, outcome: 'blocked', headers: { 'x-refused-by': 'refuser' } });
        return;
      }
      if (exchange.model.endsWith('-tool')) {
        exchange.reply({ toolCalls: [{ id: 'call_r1', name: 'lookup', arguments: { city: 'Paris', days: 2 } }], usage: { inputTokens: 3, outputTokens: 4 } });
        return;
      }
      await next();
    },
    onRequest(record) { (globalThis.__replyRecords ??= []).push({ id: record.id, outcome: record.outcome, status: record.status, stream: record.stream, usage: record.usage }); },
  }) });`;

interface Rec { id: string; outcome: string; status: number; stream: boolean; usage: { inputTokens: number; outputTokens: number } | undefined }
declare global {
  // eslint-disable-next-line no-var
  var __replyRecords: Rec[] | undefined;
  // eslint-disable-next-line no-var
  var __replyCompleted: Record<string, string> | undefined;
}

interface Answer { text: string; calls: { id: string | undefined; name: string; args: unknown }[]; headers?: Headers }

/** One turn through the client protocol's official SDK, JSON or streamed, tagged with a request id. */
async function ask(url: string, p: GenProtocol, model: string, stream: boolean, id: string): Promise<Answer> {
  const headers = { 'x-request-id': id };
  switch (p) {
    case 'openai.chat': {
      const client = openaiClient(url);
      const body = { model, messages: [{ role: 'user' as const, content: 'do the bad thing' }] };
      const res = stream ? await client.chat.completions.stream(body, { headers }).finalChatCompletion() : await client.chat.completions.create(body, { headers });
      const msg = res.choices[0]!.message;
      return { text: msg.content ?? '', calls: (msg.tool_calls ?? []).map((c) => ({ id: c.id, name: c.type === 'function' ? c.function.name : '', args: c.type === 'function' ? JSON.parse(c.function.arguments) : undefined })) };
    }
    case 'openai.responses': {
      const client = openaiClient(url);
      const body = { model, input: 'do the bad thing' };
      const res = stream ? await client.responses.stream(body, { headers }).finalResponse() : await client.responses.create(body, { headers });
      return { text: res.output_text, calls: res.output.flatMap((o) => (o.type === 'function_call' ? [{ id: o.call_id, name: o.name, args: JSON.parse(o.arguments) }] : [])) };
    }
    case 'anthropic.messages': {
      const client = anthropicClient(url);
      const body = { model, max_tokens: 64, messages: [{ role: 'user' as const, content: 'do the bad thing' }] };
      const res = stream ? await client.messages.stream(body, { headers }).finalMessage() : await client.messages.create(body, { headers });
      return {
        text: res.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
        calls: res.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: b.input }] : [])),
      };
    }
    case 'gemini.generate': {
      const ai = genaiClient(url);
      const req = { model, contents: 'do the bad thing', config: { httpOptions: { headers } } };
      const chunks = stream ? [] : [await ai.models.generateContent(req)];
      if (stream) for await (const c of await ai.models.generateContentStream(req)) chunks.push(c);
      const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
      return {
        text: parts.map((x) => x.text ?? '').join(''),
        calls: parts.flatMap((x) => (x.functionCall ? [{ id: x.functionCall.id, name: x.functionCall.name ?? '', args: x.functionCall.args }] : [])),
      };
    }
  }
}

describe('contract: a plugin replies in the client\'s protocol', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: familyProviders(up.origin),
      chain: `  - use: ./refuser.js\n${familyRouter()}`,
    }), { files: { 'refuser.js': PLUGIN } });
  });
  beforeEach(() => { globalThis.__replyRecords = []; globalThis.__replyCompleted = {}; });
  after(async () => { await gw.close(); await up.close(); });

  for (const p of GENERATE) {
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'JSON';
      it(`${p} (${kind}): a refusal recorded as blocked, no upstream call`, async () => {
        const id = `reply-${p}-${kind}`.replace('.', '-');
        const before = up.requests.length;
        const answer = await ask(gw.url, p, modelIn(p, 'refuse'), stream, id);
        expect(answer.text).to.equal(REFUSAL);
        expect(answer.calls).to.deep.equal([]);
        expect(up.requests.length).to.equal(before);
        const line = await logLineFor(gw, id);
        expect(line).to.include({ status: 200, outcome: 'blocked', stream });
        const rec = await waitFor(() => globalThis.__replyRecords!.find((r) => r.id === id), 'onRequest');
        expect(rec).to.include({ outcome: 'blocked', status: 200, stream });
        expect(globalThis.__replyCompleted![id]).to.equal('blocked');
      });

      it(`${p} (${kind}): a reply with a tool call and usage, recorded as success`, async () => {
        const id = `reply-tool-${p}-${kind}`.replace('.', '-');
        const before = up.requests.length;
        const answer = await ask(gw.url, p, modelIn(p, 'tool'), stream, id);
        expect(answer.calls).to.have.length(1);
        expect(answer.calls[0]).to.deep.include({ name: 'lookup', args: { city: 'Paris', days: 2 } });
        expect(answer.calls[0]!.id).to.equal('call_r1'); // the plugin's own id, not re-prefixed per family
        expect(up.requests.length).to.equal(before);
        const line = await logLineFor(gw, id);
        expect(line).to.include({ status: 200, outcome: 'success' });
        expect(line['usage']).to.include({ inputTokens: 3, outputTokens: 4 });
        const rec = await waitFor(() => globalThis.__replyRecords!.find((r) => r.id === id), 'onRequest');
        expect(rec.outcome).to.equal('success');
        expect(rec.usage).to.include({ inputTokens: 3, outputTokens: 4 });
      });
    }
  }

  it('the reply\'s own headers reach the client', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelIn('openai.chat', 'refuse'), messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('x-refused-by')).to.equal('refuser');
  });
});
