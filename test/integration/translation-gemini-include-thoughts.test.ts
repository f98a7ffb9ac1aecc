// Gemini's `thinkingConfig.includeThoughts` defaults to false: Google then answers without thought
// parts, though the model thought and the thoughts are billed (`thoughtsTokenCount`). A Gemini
// client routed to a Claude or OpenAI model that thinks gets the same: thought parts only when it
// asked for them, in JSON and streams, with the reasoning tokens still counted. (Reasoning with no
// text, a Responses model's encrypted reasoning, stays a signed empty thought: it shows nothing and
// the next turn needs it — translation-gemini-foreign-reasoning.test.ts.)
import { expect } from 'chai';
import type { GenerateContentResponse, Part } from '@google/genai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { genaiClient } from '../helpers/translation-rig.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A Claude answer that thinks, then says "Paris.", as Anthropic sends it. */
function anthropicAnswer(stream: boolean, model: string): { type: string; body: string } {
  const usage = { input_tokens: 10, output_tokens: 40 };
  if (!stream) {
    return { type: 'application/json', body: JSON.stringify({
      id: 'msg_t', type: 'message', role: 'assistant', model, stop_reason: 'end_turn', stop_sequence: null, usage,
      content: [{ type: 'thinking', thinking: 'The capital of France is Paris.', signature: 'sig-anthropic' }, { type: 'text', text: 'Paris.' }],
    }) };
  }
  return { type: 'text/event-stream', body: [
    sse('message_start', { type: 'message_start', message: { id: 'msg_t', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The capital of France is Paris.' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-anthropic' } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Paris.' } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 1 }),
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }),
    sse('message_stop', { type: 'message_stop' }),
  ].join('') };
}

/** An OpenAI Chat answer with reasoning (reasoning_content, as DeepSeek / OpenRouter send it). */
function chatAnswer(stream: boolean, model: string): { type: string; body: string } {
  const usage = { prompt_tokens: 10, completion_tokens: 40, total_tokens: 50, completion_tokens_details: { reasoning_tokens: 30 } };
  if (!stream) {
    return { type: 'application/json', body: JSON.stringify({
      id: 'chatcmpl-t', object: 'chat.completion', created: 1, model, usage,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Paris.', reasoning_content: 'The capital of France is Paris.' } }],
    }) };
  }
  const chunk = (delta: object, finish: string | null = null): string => `data: ${JSON.stringify({ id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return { type: 'text/event-stream', body: [
    chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'The capital of France is Paris.' }), chunk({ content: 'Paris.' }), chunk({}, 'stop'),
    `data: ${JSON.stringify({ id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`, 'data: [DONE]\n\n',
  ].join('') };
}

describe('translation: a Gemini client sees thoughts only when it asks (includeThoughts)', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startRecordingUpstream();
    up.handle((req, res) => {
      const stream = req.body?.['stream'] === true;
      const model = String(req.body?.['model']);
      const answer = req.url.startsWith('/v1/messages') ? anthropicAnswer(stream, model) : chatAnswer(stream, model);
      res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    });
    gw = await startGateway(config({
      providers: `  up-anthropic: { type: anthropic, base_url: "${up.origin}", api_key: k }\n  up-chat: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: up-anthropic }
        - { match: "deepseek-*", provider: up-chat }
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const partsOf = (responses: GenerateContentResponse[]): Part[] => responses.flatMap((r) => r.candidates?.[0]?.content?.parts ?? []);
  const ask = async (model: string, stream: boolean, thinkingConfig?: object): Promise<{ parts: Part[]; text: string; thoughts: number | undefined }> => {
    const ai = genaiClient(gw.url);
    const params = { model, contents: 'Capital of France?', config: thinkingConfig ? { thinkingConfig } : {} };
    const responses: GenerateContentResponse[] = [];
    if (stream) for await (const r of await ai.models.generateContentStream(params)) responses.push(r);
    else responses.push(await ai.models.generateContent(params));
    const parts = partsOf(responses);
    return { parts, text: parts.filter((p) => !p.thought).map((p) => p.text ?? '').join(''), thoughts: responses[responses.length - 1]!.usageMetadata?.thoughtsTokenCount };
  };

  for (const model of ['claude-sonnet-4-5', 'deepseek-reasoner']) {
    for (const stream of [false, true]) {
      const how = `${model}, ${stream ? 'stream' : 'JSON'}`;
      it(`${how}: no thinkingConfig → no thought parts, reasoning tokens still counted`, async () => {
        const r = await ask(model, stream);
        expect(r.parts.filter((p) => p.thought)).to.deep.equal([]);
        expect(r.text).to.equal('Paris.');
        if (model.startsWith('deepseek')) expect(r.thoughts).to.equal(30);
      });
      it(`${how}: a thinking budget without includeThoughts → no thought parts`, async () => {
        const r = await ask(model, stream, { thinkingBudget: 2048 });
        expect(r.parts.filter((p) => p.thought)).to.deep.equal([]);
        expect(r.text).to.equal('Paris.');
      });
      it(`${how}: includeThoughts true → the thoughts`, async () => {
        const r = await ask(model, stream, { thinkingBudget: 2048, includeThoughts: true });
        expect(r.parts.filter((p) => p.thought).map((p) => p.text).join('')).to.equal('The capital of France is Paris.');
        expect(r.text).to.equal('Paris.');
      });
    }
  }
});
