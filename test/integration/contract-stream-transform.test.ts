// Response transforms, from a plugin's side: one DeltaTransform, written without knowing any wire
// format, replaces a word that the upstream splits across chunks ("SEC" + "RET"), holding back a
// partial match and flushing what it still holds when a channel ends ("…, SE" at the very end).
// It runs over streams (`transformStream`) and JSON bodies (`transformResponseBody`) in every
// protocol, text and tool-call arguments alike; the official SDKs assemble the final message.
import { expect } from 'chai';
import type Anthropic from '@anthropic-ai/sdk';
import type { FunctionCall, GenerateContentResponse } from '@google/genai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { familyProviders, familyRouter, modelIn } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { anthropicClient, genaiClient, openaiClient, TOOL_SCHEMA } from '../helpers/translation-rig.js';

const PLUGIN = `import { definePlugin, z, transformStream, transformResponseBody } from 'sluice';
/** Replaces \`word\` per channel; holds back the longest tail that could still become it. */
function replacer(word, replacement, stats) {
  const pending = new Map();
  return {
    delta(ch, text) {
      if (!stats.channels.includes(ch.kind + ':' + (ch.toolName ?? ''))) stats.channels.push(ch.kind + ':' + (ch.toolName ?? ''));
      const buf = ((pending.get(ch.key) ?? '') + text).split(word).join(replacement);
      let hold = 0;
      for (let k = Math.min(word.length - 1, buf.length); k > 0; k--) if (word.startsWith(buf.slice(-k))) { hold = k; break; }
      if (hold) stats.held++;
      pending.set(ch.key, buf.slice(buf.length - hold));
      return buf.slice(0, buf.length - hold);
    },
    end(ch) {
      const rest = pending.get(ch.key) ?? '';
      pending.delete(ch.key);
      if (rest) stats.flushed.push(rest);
      return rest;
    },
  };
}
export default definePlugin({ name: 'word-swap', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ word: z.string(), replacement: z.string() }),
  setup: (o) => ({ middleware: async ({ exchange }, next) => {
    await next();
    const res = exchange.response;
    if (!res) return;
    const stats = { held: 0, flushed: [], channels: [] };
    (globalThis.__swapStats ??= {})[exchange.id] = stats;
    const t = replacer(o.word, o.replacement, stats);
    if (res.kind === 'stream') res.events = transformStream(res.protocol, res.events, t);
    else transformResponseBody(res.protocol, res.body, t);
  } }) });`;

interface Stats { held: number; flushed: string[]; channels: string[] }
declare global {
  // eslint-disable-next-line no-var
  var __swapStats: Record<string, Stats> | undefined;
}

/** The upstream splits the word in the text and in the tool arguments, and ends the text on a partial match. */
const TEXT = ['The SEC', 'RET is out, SE'];
const ARGS = ['{"city":"SEC', 'RET town","note":"a SECRET"}'];
const WANT_TEXT = 'The [hidden] is out, SE';
const WANT_ARGS = { city: '[hidden] town', note: 'a [hidden]' };
/** The text parts of a Gemini answer (the SDK's \`text\` getter warns when a function call sits beside them). */
const textOf = (r: GenerateContentResponse) => (r.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');
const toolsChat = [{ type: 'function' as const, function: { name: 'lookup', parameters: TOOL_SCHEMA as unknown as Record<string, unknown> } }];

describe('contract: a plugin transforms responses with hold-back and flush', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  const headers = (id: string) => ({ headers: { 'x-request-id': id } });
  const stats = (id: string) => globalThis.__swapStats![id]!;

  before(async () => {
    up = await startRecordingUpstream();
    up.answer = { text: TEXT, args: ARGS };
    gw = await startGateway(config({
      providers: familyProviders(up.origin),
      chain: `${familyRouter()}\n  - use: ./word-swap.js\n    with: { word: SECRET, replacement: "[hidden]" }`,
    }), { files: { 'word-swap.js': PLUGIN } });
  });
  beforeEach(() => { globalThis.__swapStats = {}; });
  after(async () => { await gw.close(); await up.close(); });

  describe('streams', () => {
    it('Chat Completions: content and tool_calls arguments, the held tail flushed into the finishing chunk', async () => {
      const client = openaiClient(gw.url);
      const stream = client.chat.completions.stream({ model: modelIn('openai.chat'), tools: toolsChat, messages: [{ role: 'user', content: 'hi' }] }, headers('swap-chat-stream'));
      let streamed = '';
      stream.on('content', (delta) => { streamed += delta; });
      const final = await stream.finalChatCompletion();
      const msg = final.choices[0]!.message;
      expect(streamed).to.equal(WANT_TEXT);
      expect(msg.content).to.equal(WANT_TEXT);
      const call = msg.tool_calls![0]!;
      expect(call.type === 'function' && call.function.name).to.equal('lookup');
      expect(JSON.parse(call.type === 'function' ? call.function.arguments : '')).to.deep.equal(WANT_ARGS);
      const s = stats('swap-chat-stream');
      expect(s.held).to.be.greaterThan(0);
      expect(s.flushed).to.deep.equal(['SE']);
      expect(s.channels).to.have.members(['text:', 'tool_arguments:lookup']);
    });

    it('Responses: output_text and function_call arguments, and every event that repeats the full text', async () => {
      const client = openaiClient(gw.url);
      const stream = client.responses.stream({ model: modelIn('openai.responses'), input: 'hi' }, headers('swap-responses-stream'));
      let text = '';
      let args = '';
      const done: string[] = [];
      for await (const ev of stream) {
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
        if (ev.type === 'response.output_text.done') done.push(ev.text);
        if (ev.type === 'response.function_call_arguments.done') done.push(ev.arguments);
      }
      const final = await stream.finalResponse();
      expect(text).to.equal(WANT_TEXT);
      expect(JSON.parse(args)).to.deep.equal(WANT_ARGS);
      expect(done[0]).to.equal(WANT_TEXT);
      expect(JSON.parse(done[1]!)).to.deep.equal(WANT_ARGS);
      expect(final.output_text).to.equal(WANT_TEXT);
      const fc = final.output.find((o) => o.type === 'function_call');
      expect(fc?.type === 'function_call' && JSON.parse(fc.arguments)).to.deep.equal(WANT_ARGS);
      expect(stats('swap-responses-stream').flushed).to.deep.equal(['SE']);
      expect(stats('swap-responses-stream').channels).to.have.members(['text:', 'tool_arguments:lookup']);
    });

    it('Anthropic Messages: text_delta and input_json_delta, assembled into tool_use.input', async () => {
      const client = anthropicClient(gw.url);
      const stream = client.messages.stream({ model: modelIn('anthropic.messages'), max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, headers('swap-anthropic-stream'));
      let streamed = '';
      stream.on('text', (delta) => { streamed += delta; });
      const final = await stream.finalMessage();
      expect(streamed).to.equal(WANT_TEXT);
      expect(final.content[0]).to.deep.include({ type: 'text', text: WANT_TEXT });
      const use = final.content[1] as Anthropic.ToolUseBlock;
      expect(use).to.deep.include({ type: 'tool_use', id: 'toolu_1', name: 'lookup' });
      expect(use.input).to.deep.equal(WANT_ARGS);
      expect(final.stop_reason).to.equal('tool_use');
      expect(stats('swap-anthropic-stream').flushed).to.deep.equal(['SE']);
      expect(stats('swap-anthropic-stream').channels).to.have.members(['text:', 'tool_arguments:lookup']);
    });

    it('Gemini streamGenerateContent: text parts and functionCall args', async () => {
      const ai = genaiClient(gw.url);
      let text = '';
      const calls: FunctionCall[] = [];
      for await (const chunk of await ai.models.generateContentStream({
        model: modelIn('gemini.generate'), contents: 'hi', config: { httpOptions: { headers: { 'x-request-id': 'swap-gemini-stream' } } },
      })) {
        text += textOf(chunk);
        calls.push(...(chunk.functionCalls ?? []));
      }
      expect(text).to.equal(WANT_TEXT);
      expect(calls).to.have.length(1);
      expect(calls[0]!.name).to.equal('lookup');
      expect(calls[0]!.args).to.deep.equal(WANT_ARGS);
      expect(stats('swap-gemini-stream').flushed).to.deep.equal(['SE']);
      expect(stats('swap-gemini-stream').channels).to.have.members(['text:', 'tool_arguments:lookup']);
    });
  });

  describe('JSON bodies (transformResponseBody)', () => {
    it('Chat Completions', async () => {
      const res = await openaiClient(gw.url).chat.completions.create({ model: modelIn('openai.chat'), tools: toolsChat, messages: [{ role: 'user', content: 'hi' }] });
      const msg = res.choices[0]!.message;
      expect(msg.content).to.equal(WANT_TEXT);
      const call = msg.tool_calls![0]!;
      expect(JSON.parse(call.type === 'function' ? call.function.arguments : '')).to.deep.equal(WANT_ARGS);
    });

    it('Responses', async () => {
      const res = await openaiClient(gw.url).responses.create({ model: modelIn('openai.responses'), input: 'hi' });
      expect(res.output_text).to.equal(WANT_TEXT);
      const fc = res.output.find((o) => o.type === 'function_call');
      expect(fc?.type === 'function_call' && JSON.parse(fc.arguments)).to.deep.equal(WANT_ARGS);
    });

    it('Anthropic Messages', async () => {
      const res = await anthropicClient(gw.url).messages.create({ model: modelIn('anthropic.messages'), max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.content[0]).to.deep.include({ type: 'text', text: WANT_TEXT });
      expect((res.content[1] as Anthropic.ToolUseBlock).input).to.deep.equal(WANT_ARGS);
    });

    it('Gemini generateContent', async () => {
      const res = await genaiClient(gw.url).models.generateContent({ model: modelIn('gemini.generate'), contents: 'hi' });
      expect(textOf(res)).to.equal(WANT_TEXT);
      expect(res.functionCalls?.[0]?.args).to.deep.equal(WANT_ARGS);
    });
  });
});
