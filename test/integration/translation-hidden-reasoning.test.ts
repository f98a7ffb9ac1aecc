// A client that did not ask to see the reasoning gets none of its text, as its own provider would
// answer: a Responses client without `reasoning.summary` (OpenAI then returns a reasoning item with
// `summary: []`), Claude Code with `thinking.display: "omitted"` (Anthropic then returns thinking
// blocks with empty text). The text still travels back on the next turn, inside the opaque field
// the client returns verbatim (encrypted_content, signature): an Anthropic signature is valid only
// with its text, and a Chat server reads its reasoning back. The official SDKs are the clients.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { anthropicClient, openaiClient, startRecordedTranslation } from '../helpers/translation-rig.js';
import { protocolOfPath } from '../helpers/family-wire.js';
import { isStreamRequest, type RawRecordedRequest, type RecordingUpstream } from '../helpers/recording-upstream.js';

const THOUGHT = 'I pondered the question';
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** Each family's answer: reasoning (signed where the family signs it), then the text "done". */
function answer(req: RawRecordedRequest, res: ServerResponse): void {
  const model = String(req.body?.['model'] ?? 'gemini');
  const stream = isStreamRequest(req);
  switch (protocolOfPath(req.url)) {
    case 'anthropic.messages': {
      const usage = { input_tokens: 5, output_tokens: 3 };
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'msg_up', type: 'message', role: 'assistant', model, stop_reason: 'end_turn', stop_sequence: null, usage,
          content: [{ type: 'thinking', thinking: THOUGHT, signature: 'sig-anthropic' }, { type: 'text', text: 'done' }],
        }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end([
        sse({ type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } }, 'message_start'),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }, 'content_block_start'),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: THOUGHT } }, 'content_block_delta'),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-anthropic' } }, 'content_block_delta'),
        sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
        sse({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        sse({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'done' } }, 'content_block_delta'),
        sse({ type: 'content_block_stop', index: 1 }, 'content_block_stop'),
        sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }, 'message_delta'),
        sse({ type: 'message_stop' }, 'message_stop'),
      ].join(''));
      return;
    }
    case 'openai.chat':
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'chatcmpl-up', object: 'chat.completion', created: 1700000000, model,
        choices: [{ index: 0, logprobs: null, finish_reason: 'stop', message: { role: 'assistant', content: 'done', reasoning_content: THOUGHT, refusal: null } }],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      }));
      return;
    default: {
      const usageMetadata = { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 };
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: THOUGHT, thought: true, thoughtSignature: 'c2lnLWdlbWluaQ==' }, { text: 'done' }] }, finishReason: 'STOP', index: 0 }], usageMetadata,
        }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end([
        sse({ candidates: [{ content: { role: 'model', parts: [{ text: THOUGHT, thought: true, thoughtSignature: 'c2lnLWdlbWluaQ==' }] }, index: 0 }], usageMetadata }),
        sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'done' }] }, finishReason: 'STOP', index: 0 }], usageMetadata }),
      ].join(''));
    }
  }
}

describe('translation: reasoning text only for clients that asked to see it', () => {
  let up: RecordingUpstream;
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    let gw;
    ({ up, gw, close } = await startRecordedTranslation([
      '{ match: "claude-*", provider: up-anthropic }', '{ match: "gpt-*", provider: up-chat }', '{ match: "gemini-*", provider: up-gemini }',
    ]));
    url = gw.url;
    up.handle(answer);
  });
  after(async () => { await close(); });
  const lastBody = (): Record<string, unknown> => up.requests.at(-1)!.body!;

  describe('Responses client on a Claude model', () => {
    it('reasoning.effort without a summary: a reasoning item with summary [], and its text and signature back to Anthropic next turn', async () => {
      const openai = openaiClient(url);
      const first = await openai.responses.create({ model: 'claude-sonnet-4-5', input: 'hi', reasoning: { effort: 'high' }, include: ['reasoning.encrypted_content'] });
      const reasoning = first.output.find((i) => i.type === 'reasoning')!;
      expect(reasoning.summary).to.deep.equal([]);
      expect(JSON.stringify(first)).not.to.contain(THOUGHT);
      expect(reasoning.encrypted_content).to.be.a('string');
      expect(first.output_text).to.equal('done');

      await openai.responses.create({ model: 'claude-sonnet-4-5', input: [{ role: 'user', content: 'hi' }, ...first.output, { role: 'user', content: 'and then?' }] as never, reasoning: { effort: 'high' } });
      const assistant = (lastBody()['messages'] as { role: string; content: unknown }[])[1]!;
      expect(assistant.content).to.deep.equal([{ type: 'thinking', thinking: THOUGHT, signature: 'sig-anthropic' }, { type: 'text', text: 'done' }]);
    });

    it('the same streamed: no reasoning summary events, the final response as the JSON one', async () => {
      const stream = openaiClient(url).responses.stream({ model: 'claude-sonnet-4-5', input: 'hi', reasoning: { effort: 'high' } });
      const types: string[] = [];
      stream.on('event', (e) => types.push(e.type));
      const final = await stream.finalResponse();
      expect(types.filter((t) => t.startsWith('response.reasoning_summary'))).to.deep.equal([]);
      expect(final.output.find((i) => i.type === 'reasoning')!.summary).to.deep.equal([]);
      expect(JSON.stringify(final)).not.to.contain(THOUGHT);
    });

    it('with reasoning.summary (Codex sends auto) the summary is the reasoning text, as before', async () => {
      const res = await openaiClient(url).responses.create({ model: 'claude-sonnet-4-5', input: 'hi', reasoning: { effort: 'high', summary: 'auto' } });
      expect(res.output.find((i) => i.type === 'reasoning')!.summary).to.deep.equal([{ type: 'summary_text', text: THOUGHT }]);
    });
  });

  describe('Claude Code (thinking.display omitted) on GPT and Gemini models', () => {
    const params = { max_tokens: 1024, thinking: { type: 'adaptive', display: 'omitted' } as never, messages: [{ role: 'user' as const, content: 'hi' }] };

    it('a Chat model: thinking with empty text; the reasoning goes back as reasoning_content next turn', async () => {
      const anthropic = anthropicClient(url);
      const first = await anthropic.messages.create({ ...params, model: 'gpt-oss-120b' });
      expect(first.content[0]).to.include({ type: 'thinking', thinking: '' });
      expect(JSON.stringify(first)).not.to.contain(THOUGHT);
      await anthropic.messages.create({ ...params, model: 'gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'and then?' }] });
      expect((lastBody()['messages'] as Record<string, unknown>[])[1]).to.include({ role: 'assistant', content: 'done', reasoning_content: THOUGHT });
    });

    it('a Gemini model, streamed: thinking with empty text; the thought and its signature back to Gemini next turn', async () => {
      const anthropic = anthropicClient(url);
      const stream = anthropic.messages.stream({ ...params, model: 'gemini-2.5-pro' });
      const deltas: string[] = [];
      stream.on('streamEvent', (e) => { if (e.type === 'content_block_delta') deltas.push(e.delta.type); });
      const first = await stream.finalMessage();
      expect(deltas).not.to.include('thinking_delta');
      expect(first.content[0]).to.include({ type: 'thinking', thinking: '' });
      expect(JSON.stringify(first)).not.to.contain(THOUGHT);
      await anthropic.messages.create({ ...params, model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'and then?' }] });
      const model = (lastBody()['contents'] as { role: string; parts: Record<string, unknown>[] }[])[1]!;
      expect(model.parts[0]).to.deep.equal({ text: THOUGHT, thought: true, thoughtSignature: 'c2lnLWdlbWluaQ==' });
    });

    it('display summarized (or none given) still shows the text', async () => {
      const shown = await anthropicClient(url).messages.create({ ...params, thinking: { type: 'adaptive', display: 'summarized' } as never, model: 'gpt-oss-120b' });
      expect(shown.content[0]).to.include({ type: 'thinking', thinking: THOUGHT });
    });
  });
});
