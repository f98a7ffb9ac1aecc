// A Gemini client that does not set `includeThoughts` (Google's default: no thought parts) routed
// to a Claude model that thinks sees none of Claude's reasoning — but Anthropic requires, on a turn
// that continues a tool call with thinking on, the thinking block of the turn that made the call,
// with its signature. The reasoning rides hidden in the `thoughtSignature` of the answer's first
// function call (where Google puts its own signature when it answers with calls), which Gemini
// clients return verbatim, so the next turn gives Anthropic its thinking block back (before the
// text, in Anthropic's order) and keeps thinking on.
// The client is the @google/genai SDK; the mock enforces Anthropic's rule.
import { expect } from 'chai';
import type { Content, GenerateContentResponse, Part } from '@google/genai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { genaiClient } from '../helpers/translation-rig.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

const THOUGHT = 'The user wants the weather; I should call lookup.';
const SIGNATURE = 'sig-anthropic-1';
const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
type Block = Record<string, unknown>;

/** Anthropic's answer to turn 1: thinking, a line of text, then a tool call (JSON or SSE). */
function toolAnswer(stream: boolean, model: string): { type: string; body: string } {
  const usage = { input_tokens: 10, output_tokens: 40 };
  const blocks: Block[] = [
    { type: 'thinking', thinking: THOUGHT, signature: SIGNATURE },
    { type: 'text', text: 'Let me look.' },
    { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { city: 'Paris' } },
  ];
  if (!stream) {
    return { type: 'application/json', body: JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model, stop_reason: 'tool_use', stop_sequence: null, usage, content: blocks }) };
  }
  return { type: 'text/event-stream', body: [
    sse('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: THOUGHT.slice(0, 10) } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: THOUGHT.slice(10) } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: SIGNATURE } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Let me look.' } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 1 }),
    sse('content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: {} } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 2 }),
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage }),
    sse('message_stop', { type: 'message_stop' }),
  ].join('') };
}

/** Anthropic's final answer (turn 2), JSON or SSE. */
function textAnswer(stream: boolean, model: string): { type: string; body: string } {
  const usage = { input_tokens: 20, output_tokens: 5 };
  if (!stream) {
    return { type: 'application/json', body: JSON.stringify({ id: 'msg_2', type: 'message', role: 'assistant', model, stop_reason: 'end_turn', stop_sequence: null, usage, content: [{ type: 'text', text: 'Sunny.' }] }) };
  }
  return { type: 'text/event-stream', body: [
    sse('message_start', { type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } } }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Sunny.' } }),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }),
    sse('message_stop', { type: 'message_stop' }),
  ].join('') };
}

/**
 * Anthropic's rule: with thinking on, the assistant turn whose tool call the last user turn answers
 * must start with its thinking block, signature and text as given (else a 400).
 */
function anthropicRefusal(body: Record<string, unknown>): string | undefined {
  const thinking = body['thinking'] as { type?: string } | undefined;
  if (thinking?.type !== 'enabled' && thinking?.type !== 'adaptive') return undefined;
  const messages = body['messages'] as { role: string; content: string | Block[] }[];
  const assistant = messages.findLast((m) => m.role === 'assistant');
  if (!assistant || typeof assistant.content === 'string' || !assistant.content.some((b) => b['type'] === 'tool_use')) return undefined;
  const first = assistant.content[0];
  if (first?.['type'] !== 'thinking') return 'messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`. When `thinking` is enabled, a final `assistant` message must start with a thinking block';
  if (first['signature'] !== SIGNATURE || first['thinking'] !== THOUGHT) return 'messages.1.content.0: Invalid `signature` in `thinking` block';
  return undefined;
}

/** The mock Anthropic upstream (enforcing its thinking rule) behind a gateway routing claude-* to it. */
async function claudeBehindGateway(): Promise<{ up: RecordingUpstream; gw: TestGateway }> {
  const up = await startRecordingUpstream();
  up.handle((req, res) => {
    const body = req.body ?? {};
    const refusal = anthropicRefusal(body);
    if (refusal) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: refusal } }));
      return;
    }
    const messages = body['messages'] as unknown[];
    const answer = messages.length === 1 ? toolAnswer(body['stream'] === true, String(body['model'])) : textAnswer(body['stream'] === true, String(body['model']));
    res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
  });
  const gw = await startGateway(config({
    providers: `  up-anthropic: { type: anthropic, base_url: "${up.origin}", api_key: k }`,
    chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: up-anthropic }
  - use: translator`,
  }));
  return { up, gw };
}

const tools = [{ functionDeclarations: [{ name: 'lookup', description: 'Weather of a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }];

/** What Gemini CLI keeps of a model turn: no thought parts, no signature but a call's. */
function asGeminiCli(parts: Part[]): Part[] {
  return parts.filter((p) => !p.thought).map((p) => {
    if (p.functionCall || p.thoughtSignature === undefined) return p;
    const { thoughtSignature: _dropped, ...rest } = p;
    return rest;
  });
}

/** A model turn as a client keeps it: every part of every chunk, in order, verbatim. */
async function ask(gw: TestGateway, contents: Content[], config: Record<string, unknown>, stream: boolean): Promise<Part[]> {
  const ai = genaiClient(gw.url);
  const responses: GenerateContentResponse[] = [];
  if (stream) for await (const r of await ai.models.generateContentStream({ model: 'claude-sonnet-4-5', contents, config })) responses.push(r);
  else responses.push(await ai.models.generateContent({ model: 'claude-sonnet-4-5', contents, config }));
  return responses.flatMap((r) => r.candidates?.[0]?.content?.parts ?? []);
}

describe('translation: a Gemini client without includeThoughts keeps Claude thinking across a tool turn', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => { ({ up, gw } = await claudeBehindGateway()); });
  after(async () => { await gw.close(); await up.close(); });

  const genConfig = { tools, thinkingConfig: { thinkingBudget: 2048 } };

  for (const stream of [false, true]) {
    it(`${stream ? 'stream' : 'JSON'}: no thought parts shown, and the tool turn reaches Anthropic with its thinking block`, async () => {
      const start = up.requests.length;
      const user: Content = { role: 'user', parts: [{ text: 'Weather in Paris?' }] };
      const parts = await ask(gw, [user], genConfig, stream);
      expect(parts.filter((p) => p.thought), 'thought parts').to.deep.equal([]);
      expect(JSON.stringify(parts)).not.to.include('pondered');
      const call = parts.find((p) => p.functionCall)?.functionCall;
      expect(call?.name).to.equal('lookup');
      // On the call, as Google signs an answer with calls: Gemini CLI keeps a call's signature and
      // drops those of text parts.
      expect(parts.find((p) => p.functionCall)?.thoughtSignature).to.be.a('string');
      expect(parts.filter((p) => p.thoughtSignature !== undefined)).to.have.length(1);
      const contents: Content[] = [
        user,
        { role: 'model', parts },
        { role: 'user', parts: [{ functionResponse: { id: call?.id, name: 'lookup', response: { output: 'sunny, 21 °C' } } }] },
      ];
      const final = await ask(gw, contents, genConfig, stream);
      expect(final.map((p) => p.text ?? '').join('')).to.equal('Sunny.');
      const second = up.requests[start + 1]?.body;
      expect(second?.['thinking'], 'thinking stays on').to.deep.include({ type: 'enabled' });
      const assistant = (second?.['messages'] as { role: string; content: Block[] }[])[1];
      expect(assistant?.content.map((b) => b['type'])).to.deep.equal(['thinking', 'text', 'tool_use']);
      expect(assistant?.content[0]).to.deep.equal({ type: 'thinking', thinking: THOUGHT, signature: SIGNATURE });
    });
  }
});

// Gemini CLI asks for thoughts (includeThoughts: true with its thinkingBudget) and keeps none of
// them: its history drops every thought part and the signatures of text parts, keeping a function
// call's signature (google-gemini/gemini-cli#25808). Google signs an answer with calls on its first
// call whatever includeThoughts says, so a thought part's signature is lost to such a client.
describe('translation: a Gemini client with includeThoughts keeps Claude thinking across a tool turn', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => { ({ up, gw } = await claudeBehindGateway()); });
  after(async () => { await gw.close(); await up.close(); });

  const genConfig = { tools, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } };

  for (const stream of [false, true]) {
    for (const history of ['verbatim', 'as Gemini CLI keeps it'] as const) {
      it(`${stream ? 'stream' : 'JSON'}, history ${history}: thoughts shown, the tool turn reaches Anthropic with its thinking block once`, async () => {
        const start = up.requests.length;
        const user: Content = { role: 'user', parts: [{ text: 'Weather in Paris?' }] };
        const parts = await ask(gw, [user], genConfig, stream);
        expect(parts.filter((p) => p.thought).map((p) => p.text).join(''), 'thought text shown').to.equal(THOUGHT);
        const call = parts.find((p) => p.functionCall);
        expect(call?.functionCall?.name).to.equal('lookup');
        expect(call?.thoughtSignature, 'the call is signed, as Google signs an answer with calls').to.be.a('string');
        const kept = history === 'verbatim' ? parts : asGeminiCli(parts);
        const contents: Content[] = [
          user,
          { role: 'model', parts: kept },
          { role: 'user', parts: [{ functionResponse: { id: call?.functionCall?.id, name: 'lookup', response: { output: 'sunny, 21 °C' } } }] },
        ];
        const final = await ask(gw, contents, genConfig, stream);
        expect(final.filter((p) => !p.thought).map((p) => p.text ?? '').join('')).to.equal('Sunny.');
        const second = up.requests[start + 1]?.body;
        expect(second?.['thinking'], 'thinking stays on').to.deep.include({ type: 'enabled' });
        const assistant = (second?.['messages'] as { role: string; content: Block[] }[])[1];
        expect(assistant?.content.map((b) => b['type'])).to.deep.equal(['thinking', 'text', 'tool_use']);
        expect(assistant?.content[0]).to.deep.equal({ type: 'thinking', thinking: THOUGHT, signature: SIGNATURE });
      });
    }
  }
});

// A Chat server that thinks (DeepSeek's, Kimi's) answers reasoning_content, unsigned, and wants it
// back on the tool turn that continues it. Gemini CLI shows the thoughts and keeps none of them.
describe('translation: a Gemini client with includeThoughts gives a Chat server its reasoning_content back', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startRecordingUpstream();
    up.handle((req, res) => {
      const body = req.body ?? {};
      const stream = body['stream'] === true;
      const first = (body['messages'] as unknown[]).filter((m) => (m as { role: string }).role === 'assistant').length === 0;
      const message = first
        ? { role: 'assistant', content: null, reasoning_content: THOUGHT, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris"}' } }] }
        : { role: 'assistant', content: 'Sunny.' };
      const finish = first ? 'tool_calls' : 'stop';
      const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
      const base = { id: 'chatcmpl-1', created: 1, model: body['model'] };
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage }));
        return;
      }
      const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
      const pieces = first
        ? [chunk({ role: 'assistant', reasoning_content: THOUGHT.slice(0, 10) }), chunk({ reasoning_content: THOUGHT.slice(10) }), chunk({ tool_calls: [{ index: 0, ...message.tool_calls![0] }] })]
        : [chunk({ role: 'assistant', content: 'Sunny.' })];
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end([...pieces, chunk({}, finish), `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`, 'data: [DONE]\n\n'].join(''));
    });
    gw = await startGateway(config({
      providers: `  up-chat: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: up-chat }
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const genConfig = { tools, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } };
  for (const stream of [false, true]) {
    for (const history of ['verbatim', 'as Gemini CLI keeps it'] as const) {
      it(`${stream ? 'stream' : 'JSON'}, history ${history}: the tool turn carries reasoning_content once`, async () => {
        const start = up.requests.length;
        const user: Content = { role: 'user', parts: [{ text: 'Weather in Paris?' }] };
        const parts = await ask(gw, [user], genConfig, stream);
        expect(parts.filter((p) => p.thought).map((p) => p.text).join(''), 'thought text shown').to.equal(THOUGHT);
        const call = parts.find((p) => p.functionCall)?.functionCall;
        const kept = history === 'verbatim' ? parts : asGeminiCli(parts);
        const final = await ask(gw, [user, { role: 'model', parts: kept }, { role: 'user', parts: [{ functionResponse: { id: call?.id, name: 'lookup', response: { output: 'sunny' } } }] }], genConfig, stream);
        expect(final.filter((p) => !p.thought).map((p) => p.text ?? '').join('')).to.equal('Sunny.');
        const assistant = (up.requests[start + 1]?.body?.['messages'] as Record<string, unknown>[]).find((m) => m['role'] === 'assistant');
        expect(assistant?.['reasoning_content']).to.equal(THOUGHT);
      });
    }
  }
});
