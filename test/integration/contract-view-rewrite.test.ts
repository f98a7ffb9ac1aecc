// The protocol view, from a plugin's side: one plugin written once against `exchange.view()`
// uppercases every user segment, replaces a word inside tool-call arguments and tool results, and
// adds a note — and the upstream (same family, passthrough) sees all of it in each protocol's own
// form. The requests are the official SDKs' own, so the shapes are the ones clients really send.
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { familyProviders, familyRouter, modelIn } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { anthropicClient, genaiClient, openaiClient, TOOL_SCHEMA } from '../helpers/translation-rig.js';

const NOTE = 'NOTE: answer in French';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'view-rewrite', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ word: z.string(), replacement: z.string(), note: z.string() }),
  setup: (o) => ({ middleware: async ({ exchange }, next) => {
    const view = exchange.view();
    (globalThis.__viewSeen ??= []).push({
      id: exchange.id,
      calls: view.toolCalls().map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
      results: view.toolResults().map((r) => ({ callId: r.callId, text: r.text, isError: r.isError })),
      events: view.toolEvents().map((e) => e.type),
    });
    for (const s of view.segments()) {
      if (s.kind === 'user') s.set(s.text.toUpperCase());
      else if (s.kind === 'tool_arguments' || s.kind === 'tool_result') s.set(s.text.split(o.word).join(o.replacement));
    }
    const op = exchange.endpoint.operation;
    if (op !== 'embeddings' && op !== 'embed') view.addNote(o.note);
    await next();
  } }) });`;

interface Seen { id: string; calls: { id: string | undefined; name: string; arguments: string }[]; results: { callId: string | undefined; text: string; isError: boolean }[]; events: string[] }
declare global {
  // eslint-disable-next-line no-var
  var __viewSeen: Seen[] | undefined;
}

type Json = Record<string, unknown>;
const obj = (v: unknown) => v as Json;
const list = (v: unknown) => v as Json[];

describe('contract: a plugin rewrites the request through the protocol view', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let last: () => Json;
  let seen: (id: string) => Seen;

  before(async () => {
    up = await startRecordingUpstream();
    up.answer = { text: ['ok'] };
    gw = await startGateway(config({
      providers: familyProviders(up.origin),
      chain: `${familyRouter()}\n  - use: ./view-rewrite.js\n    with: { word: SECRET, replacement: "[hidden]", note: "${NOTE}" }`,
    }), { files: { 'view-rewrite.js': PLUGIN } });
    last = () => up.requests.at(-1)!.body!;
    seen = (id) => globalThis.__viewSeen!.find((s) => s.id === id)!;
  });
  beforeEach(() => { globalThis.__viewSeen = []; });
  after(async () => { await gw.close(); await up.close(); });

  it('Chat Completions: user text, tool arguments, tool results, and a system message as the note', async () => {
    const client = openaiClient(gw.url);
    const res = await client.chat.completions.create({
      model: modelIn('openai.chat'),
      tools: [{ type: 'function', function: { name: 'lookup', parameters: TOOL_SCHEMA as unknown as Json } }],
      messages: [
        { role: 'system', content: 'sys stays' },
        { role: 'user', content: 'what is the weather in secret town?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city": "SECRET town", "days": 2}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'SECRET town: sunny' },
        { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
      ],
    }, { headers: { 'x-request-id': 'view-chat' } });
    expect(res.choices[0]!.message.content).to.equal('ok');
    const s = seen('view-chat');
    expect(s.calls).to.deep.equal([{ id: 'call_1', name: 'lookup', arguments: '{"city":"SECRET town","days":2}' }]);
    expect(s.results).to.deep.equal([{ callId: 'call_1', text: 'SECRET town: sunny', isError: false }]);
    expect(s.events).to.deep.equal(['call', 'result']);

    const m = list(last()['messages']);
    expect(m).to.have.length(6);
    expect(m[0]).to.deep.equal({ role: 'system', content: 'sys stays' });
    expect(m[1]!['content']).to.equal('WHAT IS THE WEATHER IN SECRET TOWN?'); // user text: not a tool segment, so not replaced
    const call = list(m[2]!['tool_calls'])[0]!;
    expect(call['id']).to.equal('call_1');
    expect(JSON.parse(obj(call['function'])['arguments'] as string)).to.deep.equal({ city: '[hidden] town', days: 2 });
    expect(m[3]).to.deep.equal({ role: 'tool', tool_call_id: 'call_1', content: '[hidden] town: sunny' });
    expect(m[4]!['content']).to.deep.equal([{ type: 'text', text: 'AND TOMORROW?' }]);
    expect(m[5]).to.deep.equal({ role: 'system', content: NOTE });
    expect(last()['tools']).to.have.length(1); // what the view does not touch is kept
  });

  it('Responses: input text, function_call arguments, function_call_output, and a developer message as the note', async () => {
    const client = openaiClient(gw.url);
    const res = await client.responses.create({
      model: modelIn('openai.responses'),
      instructions: 'sys stays',
      input: [
        { role: 'user', content: 'what is the weather in secret town?' },
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"city":"SECRET town","days":2}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'SECRET town: sunny' },
        { role: 'user', content: [{ type: 'input_text', text: 'and tomorrow?' }] },
      ],
    }, { headers: { 'x-request-id': 'view-responses' } });
    expect(res.output_text).to.equal('ok');
    const s = seen('view-responses');
    expect(s.calls).to.deep.equal([{ id: 'call_1', name: 'lookup', arguments: '{"city":"SECRET town","days":2}' }]);
    expect(s.results).to.deep.equal([{ callId: 'call_1', text: 'SECRET town: sunny', isError: false }]);

    const body = last();
    expect(body['instructions']).to.equal('sys stays');
    const input = list(body['input']);
    expect(input).to.have.length(5);
    expect(input[0]!['content']).to.equal('WHAT IS THE WEATHER IN SECRET TOWN?');
    expect(JSON.parse(input[1]!['arguments'] as string)).to.deep.equal({ city: '[hidden] town', days: 2 });
    expect(input[2]).to.deep.include({ type: 'function_call_output', call_id: 'call_1', output: '[hidden] town: sunny' });
    expect(input[3]!['content']).to.deep.equal([{ type: 'input_text', text: 'AND TOMORROW?' }]);
    expect(input[4]).to.deep.equal({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: NOTE }] });
  });

  it('Anthropic Messages: user text, tool_use input, tool_result content, and a text block on the last user turn as the note', async () => {
    const client = anthropicClient(gw.url);
    const res = await client.messages.create({
      model: modelIn('anthropic.messages'), max_tokens: 64, system: 'sys stays',
      messages: [
        { role: 'user', content: 'what is the weather in secret town?' },
        { role: 'assistant', content: [{ type: 'text', text: 'let me look' }, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { city: 'SECRET town', days: 2 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'SECRET town: sunny' }, { type: 'text', text: 'and tomorrow?' }] },
      ],
    }, { headers: { 'x-request-id': 'view-anthropic' } });
    expect(res.content[0]).to.deep.include({ type: 'text', text: 'ok' });
    const s = seen('view-anthropic');
    expect(s.calls).to.deep.equal([{ id: 'toolu_1', name: 'lookup', arguments: '{"city":"SECRET town","days":2}' }]);
    expect(s.results).to.deep.equal([{ callId: 'toolu_1', text: 'SECRET town: sunny', isError: false }]);

    const body = last();
    expect(body['system']).to.equal('sys stays');
    const m = list(body['messages']);
    expect(m).to.have.length(3);
    expect(m[0]!['content']).to.equal('WHAT IS THE WEATHER IN SECRET TOWN?');
    expect(list(m[1]!['content'])).to.deep.equal([
      { type: 'text', text: 'let me look' }, // assistant text is not the user's
      { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { city: '[hidden] town', days: 2 } },
    ]);
    expect(list(m[2]!['content'])).to.deep.equal([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: '[hidden] town: sunny' },
      { type: 'text', text: 'AND TOMORROW?' },
      { type: 'text', text: NOTE },
    ]);
  });

  it('Gemini generateContent: user parts, functionCall args, functionResponse, and a text part on the last user turn as the note', async () => {
    const ai = genaiClient(gw.url);
    const res = await ai.models.generateContent({
      model: modelIn('gemini.generate'),
      config: { systemInstruction: 'sys stays', httpOptions: { headers: { 'x-request-id': 'view-gemini' } } },
      contents: [
        { role: 'user', parts: [{ text: 'what is the weather in secret town?' }] },
        { role: 'model', parts: [{ functionCall: { id: 'call_g1', name: 'lookup', args: { city: 'SECRET town', days: 2 } } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'call_g1', name: 'lookup', response: { output: 'SECRET town: sunny' } } }, { text: 'and tomorrow?' }] },
      ],
    });
    expect(res.text).to.equal('ok');
    const s = seen('view-gemini');
    expect(s.calls).to.deep.equal([{ id: 'call_g1', name: 'lookup', arguments: '{"city":"SECRET town","days":2}' }]);
    expect(s.results).to.deep.equal([{ callId: 'call_g1', text: '{"output":"SECRET town: sunny"}', isError: false }]);

    const body = last();
    expect(JSON.stringify(body['systemInstruction'])).to.contain('sys stays');
    const c = list(body['contents']);
    expect(c).to.have.length(3);
    expect(c[0]!['parts']).to.deep.equal([{ text: 'WHAT IS THE WEATHER IN SECRET TOWN?' }]);
    expect(c[1]!['parts']).to.deep.equal([{ functionCall: { id: 'call_g1', name: 'lookup', args: { city: '[hidden] town', days: 2 } } }]);
    expect(c[2]!['parts']).to.deep.equal([
      { functionResponse: { id: 'call_g1', name: 'lookup', response: { output: '[hidden] town: sunny' } } },
      { text: 'AND TOMORROW?' },
      { text: NOTE },
    ]);
  });

  it('embeddings (OpenAI and Gemini): every input is user text, rewritten; no note', async () => {
    const client: OpenAI = openaiClient(gw.url);
    const res = await client.embeddings.create({ model: 'embed-openai-small', input: ['first text', 'second'], encoding_format: 'float' });
    expect(res.data.map((d) => d.embedding)).to.deep.equal([[0.25, 0.5], [0.25, 0.5]]);
    expect(last()['input']).to.deep.equal(['FIRST TEXT', 'SECOND']);

    const ai = genaiClient(gw.url);
    const g = await ai.models.embedContent({ model: 'embed-gemini-001', contents: ['first text', 'second'] });
    expect(g.embeddings?.map((e) => e.values)).to.deep.equal([[0.25, 0.5], [0.25, 0.5]]);
    const requests = list(last()['requests']);
    expect(requests.map((r) => obj(r['content'])['parts'])).to.deep.equal([[{ text: 'FIRST TEXT' }], [{ text: 'SECOND' }]]);
  });
});
