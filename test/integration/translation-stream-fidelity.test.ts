// Streams that real upstreams send and peers' gateways got wrong, through the real gateway, with
// each client's official SDK as the judge: Chat servers that reuse a stream index for a new call
// (Ollama, SGLang), a call with no arguments, Gemini's signature on a stream's final empty text
// part, and usage reported on the chunk of the first content.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, genaiClient, modelFor, openaiClient, routesYaml, upstreamProviders } from '../helpers/translation-rig.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/translator');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** A long prompt, so Sluice's estimate of the input (about 4 characters a token) is far from the upstream's count. */
const LONG_PROMPT = 'Tell me about the sea. '.repeat(40);

describe('translated streams keep what the upstream meant (official SDKs as judges)', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let replay: string;
  let json: unknown;

  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      if (req.body?.['stream'] === true || req.url.includes(':streamGenerateContent')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end(replay);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      }
    });
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml(), '  - use: translator'].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  describe('a Chat upstream that reuses a stream index for a new call id (item 10)', () => {
    const expected = [
      { id: 'call_k2x8a1', name: 'get_weather', input: { city: 'Paris' } },
      { id: 'call_p9q3zz', name: 'get_weather', input: { city: 'Tokyo' } },
      { id: 'call_n0args', name: 'get_time', input: {} },
    ];
    beforeEach(() => { replay = fixture('chat/ollama-index-reuse.sse'); });

    it('Anthropic client: three tool_use blocks, each with its own arguments', async () => {
      const message = await anthropicClient(gw.url).messages.stream({
        model: modelFor('openai.chat'), max_tokens: 100, messages: [{ role: 'user', content: 'weather in Paris and Tokyo, and the time' }],
      }).finalMessage();
      expect(message.content.map((b) => b.type)).to.deep.equal(['text', 'tool_use', 'tool_use', 'tool_use']);
      expect(message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []))).to.deep.equal(expected);
      expect(message.stop_reason).to.equal('tool_use');
    });

    it('Responses client: three function_call items', async () => {
      const response = await openaiClient(gw.url).responses.stream({ model: modelFor('openai.chat'), input: 'weather in Paris and Tokyo' }).finalResponse();
      const calls = response.output.flatMap((o) => (o.type === 'function_call' ? [{ id: o.call_id, name: o.name, input: JSON.parse(o.arguments) as unknown }] : []));
      expect(calls).to.deep.equal(expected);
    });

    it('Gemini client: three functionCall parts', async () => {
      const calls: { id?: string; name?: string; input?: unknown }[] = [];
      for await (const chunk of await genaiClient(gw.url).models.generateContentStream({ model: modelFor('openai.chat'), contents: 'weather?' })) {
        for (const c of chunk.functionCalls ?? []) calls.push({ id: c.id, name: c.name, input: c.args });
      }
      expect(calls).to.deep.equal(expected);
    });

    it('SGLang fragments: index-only fragments continue the call open at that index', async () => {
      replay = fixture('chat/sglang-index-reuse.sse');
      const message = await anthropicClient(gw.url).messages.stream({
        model: modelFor('openai.chat'), max_tokens: 100, messages: [{ role: 'user', content: 'read both' }],
      }).finalMessage();
      expect(message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, input: b.input }] : []))).to.deep.equal([
        { id: 'call_5d0c8f1e', input: { path: 'a.ts' } },
        { id: 'call_9e47b2a0', input: { path: 'b.ts' } },
        { id: 'call_77aa01f3', input: { path: 'src' } },
      ]);
    });
  });

  describe('a streamed tool call with no arguments reaches a Chat client as "{}" (item 11)', () => {
    const anthropicNoArgs = (partial: boolean): string => [
      sse({ type: 'message_start', message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 30, output_tokens: 1 } } }, 'message_start'),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_01Now', name: 'get_time', input: {} } }, 'content_block_start'),
      partial ? sse({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } }, 'content_block_delta') : '',
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
      sse({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 12 } }, 'message_delta'),
      sse({ type: 'message_stop' }, 'message_stop'),
    ].join('');

    for (const partial of [false, true]) {
      it(`Anthropic upstream, tool_use with input {}${partial ? ' and an empty input_json_delta' : ''}: streamed and non-streamed agree`, async () => {
        replay = anthropicNoArgs(partial);
        json = {
          id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-x', stop_reason: 'tool_use', stop_sequence: null,
          content: [{ type: 'tool_use', id: 'toolu_01Now', name: 'get_time', input: {} }], usage: { input_tokens: 30, output_tokens: 12 },
        };
        const client = openaiClient(gw.url);
        const body = { model: modelFor('anthropic.messages'), messages: [{ role: 'user' as const, content: 'time?' }] };
        const streamed = await client.chat.completions.stream(body).finalChatCompletion();
        const whole = await client.chat.completions.create(body);
        const args = (c: typeof whole) => c.choices[0]!.message.tool_calls!.map((t) => (t.type === 'function' ? t.function.arguments : undefined));
        expect(args(streamed)).to.deep.equal(['{}']);
        expect(args(streamed)).to.deep.equal(args(whole));
      });
    }
  });

  describe('Gemini\'s signature on a final empty text part (item 12)', () => {
    it('an Anthropic stream never has a thinking block after the text', async () => {
      replay = fixture('gemini/streams/thinking-text.sse');
      const stream = anthropicClient(gw.url).messages.stream({ model: modelFor('gemini.generate'), max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
      const starts: string[] = [];
      stream.on('streamEvent', (ev) => { if (ev.type === 'content_block_start') starts.push(ev.content_block.type); });
      const message = await stream.finalMessage();
      expect(starts).to.deep.equal(['thinking', 'text']);
      expect(message.content.map((b) => b.type)).to.deep.equal(['thinking', 'text']);
      expect((message.content[1] as Anthropic.TextBlock).text).to.equal('Hello! How can I help you today? 🌊');
    });

    it('nor does the JSON answer', async () => {
      json = {
        candidates: [{
          content: { role: 'model', parts: [{ text: 'Thinking it over.', thought: true }, { text: 'Hello!' }, { text: '', thoughtSignature: 'EpYDCpMDAXLI2ny=' }] },
          finishReason: 'STOP', index: 0,
        }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 4, totalTokenCount: 11 },
        modelVersion: 'gemini-3-flash-preview', responseId: 'r1',
      };
      const client = anthropicClient(gw.url);
      const first = await client.messages.create({ model: modelFor('gemini.generate'), max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
      expect(first.content.map((b) => b.type)).to.deep.equal(['thinking', 'text']);
    });
  });

  describe('message_start carries the real input count when usage comes with the first content (item 14)', () => {
    async function messageStartInput(model: string): Promise<number> {
      const stream = anthropicClient(gw.url).messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: LONG_PROMPT }] });
      let input: number | undefined;
      stream.on('streamEvent', (ev) => { if (ev.type === 'message_start') input = ev.message.usage.input_tokens; });
      await stream.finalMessage();
      return input!;
    }

    it('Gemini upstream (usageMetadata on every chunk)', async () => {
      replay = fixture('gemini/streams/thinking-text.sse'); // promptTokenCount 12
      expect(await messageStartInput(modelFor('gemini.generate'))).to.equal(12);
    });

    it('Chat upstream that reports usage on every chunk', async () => {
      const chunk = (delta: object, finish: string | null, completion: number) => sse({
        id: 'chatcmpl-u', object: 'chat.completion.chunk', created: 1, model: 'm',
        choices: [{ index: 0, delta, finish_reason: finish }],
        usage: { prompt_tokens: 1234, completion_tokens: completion, total_tokens: 1234 + completion, prompt_tokens_details: { cached_tokens: 200 } },
      });
      replay = chunk({ role: 'assistant', content: 'Hi' }, null, 1) + chunk({ content: ' there' }, null, 2) + chunk({}, 'stop', 2) + 'data: [DONE]\n\n';
      // Anthropic counts input apart from cache reads: 1234 − 200.
      expect(await messageStartInput(modelFor('openai.chat'))).to.equal(1034);
    });
  });
});
