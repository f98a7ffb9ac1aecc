// A Chat client on an Anthropic provider with thinking and a tool call, then the tool result turn:
// Anthropic accepts a thinking block back only with the whole text its signature was issued for.
// The mock upstream below signs what it thinks and checks it on the next turn, as Anthropic does,
// and the client rebuilds the first answer the three ways clients do: the openai SDK's stream
// helper (which keeps only the last piece of fields it does not know), by hand from the raw SSE
// (concatenating deltas), and from the non-streamed answer.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.js';

const THINKING = ['The user wants ', 'the files listed, ', 'so I will run ls.'];
const sign = (text: string): string => `EqMock${createHash('sha256').update(`mock-secret:${text}`).digest('base64')}`;

type Block = Record<string, unknown>;

/** What Anthropic says about the thinking of the turn being continued, or undefined when it is fine. */
function thinkingError(body: Record<string, unknown>): string | undefined {
  const messages = body['messages'] as { role: string; content: Block[] | string }[];
  const last = messages.findLastIndex((m) => m.role === 'assistant');
  if (last === -1) return undefined;
  const content = messages[last]!.content;
  if (typeof content === 'string') return undefined;
  for (const [i, b] of content.entries()) {
    if (b['type'] === 'thinking' && b['signature'] !== sign(String(b['thinking']))) {
      return `messages.${last}.content.${i}: Invalid \`signature\` in \`thinking\` block`;
    }
  }
  if (body['thinking'] !== undefined && content.some((b) => b['type'] === 'tool_use') && content[0]?.['type'] !== 'thinking') {
    return `messages.${last}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(content[0]?.['type'])}\``;
  }
  return undefined;
}

function sse(res: ServerResponse, event: string, data: Block): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
}

function anthropicUpstream(req: RecordedRequest, res: ServerResponse): void {
  const body = req.body ?? {};
  const error = thinkingError(body);
  if (error) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: error } }));
    return;
  }
  const messages = body['messages'] as unknown[];
  const usage = { input_tokens: 20, output_tokens: 30 };
  if (messages.length > 1) {
    // The tool result turn: a plain answer.
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 'msg_2', type: 'message', role: 'assistant', model: body['model'], content: [{ type: 'text', text: 'You have file.txt.' }],
      stop_reason: 'end_turn', stop_sequence: null, usage,
    }));
    return;
  }
  const text = THINKING.join('');
  const toolUse = { type: 'tool_use', id: 'toolu_01', name: 'shell', input: { cmd: 'ls' } };
  if (body['stream'] !== true) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 'msg_1', type: 'message', role: 'assistant', model: body['model'],
      content: [{ type: 'thinking', thinking: text, signature: sign(text) }, toolUse], stop_reason: 'tool_use', stop_sequence: null, usage,
    }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  sse(res, 'message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: body['model'], content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } } });
  sse(res, 'content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
  for (const piece of THINKING) sse(res, 'content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: piece } });
  sse(res, 'content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: sign(text) } });
  sse(res, 'content_block_stop', { index: 0 });
  sse(res, 'content_block_start', { index: 1, content_block: { ...toolUse, input: {} } });
  sse(res, 'content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"cmd":"ls"}' } });
  sse(res, 'content_block_stop', { index: 1 });
  sse(res, 'message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } });
  sse(res, 'message_stop', {});
  res.end();
}

describe('Chat client, Anthropic provider: thinking and a tool call, then the tool result turn', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  const tools = [{ type: 'function' as const, function: { name: 'shell', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } } }];
  const first: ChatCompletionMessageParam[] = [{ role: 'user', content: 'list my files' }];
  const request = { model: 'claude-sonnet-4-5', tools, reasoning_effort: 'low' as const };

  before(async () => {
    mock = await startMockUpstream();
    mock.handle(anthropicUpstream);
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers:
  anth: { type: anthropic, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: test-key }
chain:
  - use: router
    with: { default: anth }
  - use: translator
`);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  /** Sends the tool result turn and returns what the provider received for it. */
  async function toolResultTurn(assistant: ChatCompletionMessageParam): Promise<Record<string, unknown>> {
    const callId = (assistant as { tool_calls: { id: string }[] }).tool_calls[0]!.id;
    const seen = mock.requests.length;
    const answer = await client.chat.completions.create({
      ...request, messages: [...first, assistant, { role: 'tool', tool_call_id: callId, content: 'file.txt' }],
    });
    expect(answer.choices[0]!.message.content).to.equal('You have file.txt.');
    return mock.requests[seen]!.body!;
  }

  function expectSignedThinkingBack(body: Record<string, unknown>): void {
    const assistant = (body['messages'] as { role: string; content: Block[] }[])[1]!;
    expect(assistant.content[0]).to.deep.equal({ type: 'thinking', thinking: THINKING.join(''), signature: sign(THINKING.join('')) });
    expect(body['thinking']).to.deep.include({ type: 'enabled' });
  }

  it('with the openai SDK stream helper (finalChatCompletion)', async () => {
    const final = await client.chat.completions.stream({ ...request, messages: first }).finalChatCompletion();
    const message = final.choices[0]!.message;
    expect(message.tool_calls).to.have.length(1);
    expectSignedThinkingBack(await toolResultTurn(message as ChatCompletionMessageParam));
  });

  it('with a client that concatenates the raw SSE deltas by hand', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...request, messages: first, stream: true }),
    });
    let reasoning = '';
    const details: unknown[] = [];
    const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
    for (const line of (await res.text()).split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const delta = (JSON.parse(line.slice(6)) as { choices: { delta: Record<string, unknown> }[] }).choices[0]?.delta ?? {};
      if (typeof delta['reasoning_content'] === 'string') reasoning += delta['reasoning_content'];
      if (Array.isArray(delta['reasoning_details'])) details.push(...delta['reasoning_details']);
      for (const c of (delta['tool_calls'] ?? []) as { index: number; id?: string; function?: { name?: string; arguments?: string } }[]) {
        const call = (calls[c.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (c.id) call.id = c.id;
        if (c.function?.name) call.function.name = c.function.name;
        call.function.arguments += c.function?.arguments ?? '';
      }
    }
    expect(reasoning).to.equal(THINKING.join(''));
    const assistant = { role: 'assistant', content: null, reasoning_content: reasoning, reasoning_details: details, tool_calls: calls };
    expectSignedThinkingBack(await toolResultTurn(assistant as unknown as ChatCompletionMessageParam));
  });

  it('with the non-streamed answer', async () => {
    const answer = await client.chat.completions.create({ ...request, messages: first });
    expectSignedThinkingBack(await toolResultTurn(answer.choices[0]!.message as ChatCompletionMessageParam));
  });

  it('a signature that came without its text (an older stream, rebuilt by the helper) is not sent with a piece: thinking is off for that turn', async () => {
    const final = await client.chat.completions.stream({ ...request, messages: first }).finalChatCompletion();
    const message = final.choices[0]!.message as unknown as Record<string, unknown>;
    const detail = (message['reasoning_details'] as Record<string, unknown>[])[0]!;
    const old = { ...message, reasoning_content: THINKING.at(-1), reasoning_details: [{ type: 'reasoning.text', signature: detail['signature'], index: 0 }] };
    const body = await toolResultTurn(old as unknown as ChatCompletionMessageParam);
    const assistant = (body['messages'] as { role: string; content: Block[] }[])[1]!;
    expect(assistant.content.map((b) => b['type'])).to.deep.equal(['tool_use']);
    expect(body['thinking']).to.equal(undefined);
  });
});
