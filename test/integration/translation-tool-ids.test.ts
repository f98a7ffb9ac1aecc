// Tool-call ids across providers, through the real gateway with the official SDKs as clients:
// - Gemini signs function calls, and Gemini 3 refuses the next turn without that signature. A Chat
//   client keeps it in extra_content; Anthropic and Responses clients keep it in the call's id,
//   which their SDKs send back unchanged (item 13).
// - Anthropic accepts only ids matching ^[a-zA-Z0-9_-]+$; ids other providers mint (Kimi's
//   `functions.get_weather:0`) are mapped alike for the call and its result wherever they go to
//   Anthropic, while the client keeps seeing its original ids (item 15).
import Anthropic from '@anthropic-ai/sdk';
import type { Content } from '@google/genai';
import { expect } from 'chai';
import type OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.js';
import { protocolOfPath } from '../helpers/family-wire.js';
import { anthropicClient, genaiClient, modelFor, openaiClient, routesYaml, upstreamProviders } from '../helpers/translation-rig.js';

const SIG = 'CiQBcsjafKhGyW0qN3RZmUdyTZdq/9y0sDo2s3UcO2hlY2s+Zm9vYmFyMTIzNDU2Nzg5MA==';
const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;
const KIMI_IDS = ['functions.get_weather:0', 'functions.get_weather:1'];
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } as const;
const anthropicTools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'weather', input_schema: WEATHER_SCHEMA as unknown as Anthropic.Tool.InputSchema }];
const responsesTools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'get_weather', parameters: WEATHER_SCHEMA as unknown as Record<string, unknown>, strict: false }];

/** Gemini's answer: two parallel calls, the first signed (Gemini signs only the first), no ids. */
const GEMINI_CALLS = {
  candidates: [{
    content: { role: 'model', parts: [
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIG },
      { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
    ] },
    finishReason: 'STOP', index: 0,
  }],
  usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 10, totalTokenCount: 30 },
  modelVersion: 'gemini-3-pro-preview', responseId: 'gemresp-77',
};
const GEMINI_TEXT = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'Sunny in both.' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 4, totalTokenCount: 44 }, modelVersion: 'gemini-3-pro-preview', responseId: 'gemresp-78',
};

/** Anthropic's own validation of tool ids, as the real API answers a bad one. */
function anthropicIdError(body: Record<string, unknown> | undefined): string | undefined {
  for (const [i, m] of ((body?.['messages'] as { content: unknown }[]) ?? []).entries()) {
    if (!Array.isArray(m.content)) continue;
    for (const [j, b] of (m.content as Record<string, unknown>[]).entries()) {
      const id = b['type'] === 'tool_use' ? b['id'] : b['type'] === 'tool_result' ? b['tool_use_id'] : undefined;
      if (id !== undefined && (typeof id !== 'string' || !ANTHROPIC_ID.test(id))) {
        return `messages.${i}.content.${j}.${String(b['type'])}.${b['type'] === 'tool_use' ? 'id' : 'tool_use_id'}: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      }
    }
  }
  return undefined;
}

/** OpenAI Chat's own validation of tool-call ids: at most 40 characters, as the real API answers a longer one. */
function openaiIdError(body: Record<string, unknown> | undefined): string | undefined {
  for (const [i, m] of ((body?.['messages'] as Record<string, unknown>[]) ?? []).entries()) {
    const ids = [m['tool_call_id'], ...((m['tool_calls'] as { id?: unknown }[] | undefined) ?? []).map((c) => c.id)];
    for (const id of ids) {
      if (typeof id === 'string' && id.length > 40) return `Invalid 'messages[${i}]' tool call id: string too long. Expected a string with maximum length 40, but got a string with length ${id.length} instead.`;
    }
  }
  return undefined;
}

/** Tool-call ids in a Chat request body: [assistant tool_calls ids, tool message ids]. */
function chatIds(body: Record<string, unknown> | undefined): [string[], string[]] {
  const messages = (body?.['messages'] as Record<string, unknown>[]) ?? [];
  return [
    messages.flatMap((m) => ((m['tool_calls'] as { id: string }[] | undefined) ?? []).map((c) => c.id)),
    messages.flatMap((m) => (m['role'] === 'tool' ? [String(m['tool_call_id'])] : [])),
  ];
}

/** Tool ids in an Anthropic request body: [tool_use ids, tool_result ids]. */
function anthropicIds(body: Record<string, unknown> | undefined): [string[], string[]] {
  const uses: string[] = [];
  const results: string[] = [];
  for (const m of (body?.['messages'] as { content: unknown }[]) ?? []) {
    for (const b of Array.isArray(m.content) ? (m.content as Record<string, unknown>[]) : []) {
      if (b['type'] === 'tool_use') uses.push(String(b['id']));
      if (b['type'] === 'tool_result') results.push(String(b['tool_use_id']));
    }
  }
  return [uses, results];
}

/** The Chat upstream's answer: Kimi-style call ids. */
function kimiChat(stream: boolean): string {
  const calls = KIMI_IDS.map((id, index) => ({ index, id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: index ? 'Tokyo' : 'Paris' }) } }));
  if (!stream) {
    return JSON.stringify({
      id: 'chatcmpl-k', object: 'chat.completion', created: 1, model: 'kimi-k2',
      choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls.map(({ index: _i, ...c }) => c) }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  }
  const chunk = (delta: object, finish: string | null = null) => sse({ id: 'chatcmpl-k', object: 'chat.completion.chunk', created: 1, model: 'kimi-k2', choices: [{ index: 0, delta, finish_reason: finish }] });
  return chunk({ role: 'assistant', content: null }) + calls.map((c) => chunk({ tool_calls: [c] })).join('') + chunk({}, 'tool_calls') + 'data: [DONE]\n\n';
}

describe('tool-call ids across providers', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  const seen = (p: string): RecordedRequest[] => mock.requests.filter((r) => protocolOfPath(r.url) === p);

  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const protocol = protocolOfPath(req.url);
      const stream = req.body?.['stream'] === true || req.url.includes(':streamGenerateContent');
      if (protocol === 'gemini.generate') {
        const answered = JSON.stringify(req.body?.['contents'] ?? []).includes('functionResponse');
        const body = answered ? GEMINI_TEXT : GEMINI_CALLS;
        if (stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse(body));
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } else if (protocol === 'anthropic.messages') {
        const error = anthropicIdError(req.body);
        if (error) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: error } }));
        } else if (req.url.includes('count_tokens')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 99 }));
        } else {
          const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'Sunny.' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 9, output_tokens: 2 } };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message));
        }
      } else if (protocol === 'openai.chat') {
        const tooLong = openaiIdError(req.body);
        if (tooLong) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: tooLong, type: 'invalid_request_error', param: null, code: 'string_above_max_length' } }));
          return;
        }
        const answered = JSON.stringify(req.body?.['messages'] ?? []).includes('"role":"tool"');
        if (answered) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
            id: 'chatcmpl-t', object: 'chat.completion', created: 1, model: 'kimi-k2',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }));
        } else res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' }).end(kimiChat(stream));
      } else {
        const tooLong = ((req.body?.['input'] as Record<string, unknown>[] | undefined) ?? []).find((i) => typeof i['call_id'] === 'string' && i['call_id'].length > 64);
        if (tooLong) {
          const message = `Invalid 'input[].call_id': string too long. Expected a string with maximum length 64, but got a string with length ${String(tooLong['call_id']).length} instead.`;
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: 'input', code: 'string_above_max_length' } }));
          return;
        }
        const response = { id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-x', output: [{ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Sunny.', annotations: [] }] }], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
      }
    });
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml(), '  - use: translator'].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; });

  /** The model turn Gemini received on the second request: its function calls and the responses after it. */
  function geminiSecondTurn(): { calls: Record<string, unknown>[]; responses: Record<string, unknown>[] } {
    const contents = seen('gemini.generate').at(-1)!.body!['contents'] as Content[];
    const model = contents.find((c) => c.role === 'model')!;
    const calls = (model.parts ?? []).filter((p) => p.functionCall) as unknown as Record<string, unknown>[];
    const responses = contents.flatMap((c) => (c.parts ?? []).filter((p) => p.functionResponse)) as unknown as Record<string, unknown>[];
    return { calls, responses };
  }

  function expectSignedGeminiTurn(): void {
    const { calls, responses } = geminiSecondTurn();
    expect(calls).to.have.length(2);
    expect(calls[0]!['thoughtSignature'], 'the first call carries Gemini\'s own signature, not the placeholder').to.equal(SIG);
    const ids = calls.map((c) => (c['functionCall'] as { id: string }).id);
    expect(ids.every((id) => !id.includes('sluicesig')), 'Gemini sees its ids without the carrier').to.equal(true);
    expect(responses.map((r) => (r['functionResponse'] as { id: string }).id)).to.deep.equal(ids);
  }

  describe('Gemini function-call signatures survive a round trip (item 13)', () => {
    for (const stream of [false, true]) {
      it(`Anthropic client${stream ? ' (stream)' : ''}: the signature comes back in the tool_use id; Gemini gets it, Claude does not`, async () => {
        const client = anthropicClient(gw.url);
        const ask = { model: modelFor('gemini.generate'), max_tokens: 200, tools: anthropicTools, messages: [{ role: 'user' as const, content: 'weather in Paris and Tokyo?' }] };
        const first = stream ? await client.messages.stream(ask).finalMessage() : await client.messages.create(ask);
        const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        expect(uses).to.have.length(2);
        expect(uses.every((u) => ANTHROPIC_ID.test(u.id)), 'ids the client stores fit Anthropic\'s pattern').to.equal(true);
        const history: Anthropic.MessageParam[] = [
          ask.messages[0]!,
          { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
          { role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: 'sunny' })) },
        ];
        const next = await client.messages.create({ ...ask, messages: history });
        expect(next.content).to.deep.equal([{ type: 'text', text: 'Sunny in both.' }]);
        expectSignedGeminiTurn();

        // The same conversation moved to Claude (passthrough): ids without the carrier, call and result alike.
        await client.messages.create({ ...ask, model: modelFor('anthropic.messages'), messages: history });
        const [useIds, resultIds] = anthropicIds(seen('anthropic.messages').at(-1)!.body);
        expect(useIds).to.deep.equal(resultIds);
        expect(useIds.every((id) => !id.includes('sluicesig') && ANTHROPIC_ID.test(id))).to.equal(true);
      });

      it(`Responses client${stream ? ' (stream)' : ''}: the signature comes back in call_id; Gemini gets it, OpenAI does not`, async () => {
        const client = openaiClient(gw.url);
        const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: 'weather in Paris and Tokyo?' }];
        const ask = { model: modelFor('gemini.generate'), tools: responsesTools, input };
        const first = stream ? await client.responses.stream(ask).finalResponse() : await client.responses.create(ask);
        const output: OpenAI.Responses.ResponseOutputItem[] = first.output;
        const calls = output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
        expect(calls).to.have.length(2);
        const history: OpenAI.Responses.ResponseInputItem[] = [
          ...input, ...calls, ...calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: 'sunny' })),
        ];
        const next = await client.responses.create({ ...ask, input: history });
        expect(next.output_text).to.equal('Sunny in both.');
        expectSignedGeminiTurn();

        await client.responses.create({ ...ask, model: modelFor('openai.responses'), input: history });
        const sent = seen('openai.responses').at(-1)!.body!['input'] as Record<string, unknown>[];
        const ids = sent.filter((i) => i['call_id'] !== undefined).map((i) => String(i['call_id']));
        expect(ids).to.have.length(4);
        expect(ids.every((id) => !id.includes('sluicesig')), 'OpenAI sees call ids without the carrier').to.equal(true);
        expect(ids.slice(0, 2)).to.deep.equal(ids.slice(2));
      });
    }
  });

  describe('ids Anthropic rejects are mapped when the conversation moves to Claude (item 15)', () => {
    const expectMapped = (): string[] => {
      const [uses, results] = anthropicIds(seen('anthropic.messages').at(-1)!.body);
      expect(uses).to.have.length(2);
      expect(uses, 'call and result mapped alike').to.deep.equal(results);
      expect(uses.every((id) => ANTHROPIC_ID.test(id))).to.equal(true);
      expect(new Set(uses).size, 'distinct ids stay distinct').to.equal(2);
      return uses;
    };

    it('Chat client history → Anthropic upstream (deterministic: the same ids every turn)', async () => {
      const client = openaiClient(gw.url);
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: KIMI_IDS.map((id, i) => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: JSON.stringify({ city: i ? 'Tokyo' : 'Paris' }) } })) },
        ...KIMI_IDS.map((id) => ({ role: 'tool' as const, tool_call_id: id, content: 'sunny' })),
      ];
      const a = await client.chat.completions.create({ model: modelFor('anthropic.messages'), messages });
      expect(a.choices[0]!.message.content).to.equal('Sunny.');
      const first = expectMapped();
      await client.chat.completions.create({ model: modelFor('anthropic.messages'), messages });
      expect(expectMapped()).to.deep.equal(first);
    });

    it('Responses client history → Anthropic upstream', async () => {
      const input: OpenAI.Responses.ResponseInputItem[] = [
        { role: 'user', content: 'weather?' },
        ...KIMI_IDS.map((id, i) => ({ type: 'function_call' as const, call_id: id, name: 'get_weather', arguments: JSON.stringify({ city: i ? 'Tokyo' : 'Paris' }) })),
        ...KIMI_IDS.map((id) => ({ type: 'function_call_output' as const, call_id: id, output: 'sunny' })),
      ];
      const r = await openaiClient(gw.url).responses.create({ model: modelFor('anthropic.messages'), input, tools: responsesTools });
      expect(r.output_text).to.equal('Sunny.');
      expectMapped();
    });

    it('Gemini client history → Anthropic upstream', async () => {
      const r = await genaiClient(gw.url).models.generateContent({
        model: modelFor('anthropic.messages'),
        contents: [
          { role: 'user', parts: [{ text: 'weather?' }] },
          { role: 'model', parts: KIMI_IDS.map((id, i) => ({ functionCall: { id, name: 'get_weather', args: { city: i ? 'Tokyo' : 'Paris' } } })) },
          { role: 'user', parts: KIMI_IDS.map((id) => ({ functionResponse: { id, name: 'get_weather', response: { output: 'sunny' } } })) },
        ],
      });
      expect(r.text).to.equal('Sunny.');
      expectMapped();
    });

    for (const stream of [false, true]) {
      it(`Anthropic client${stream ? ' (stream)' : ''}: sees Kimi's ids as they are, and its next turn is accepted by Claude (passthrough) and by Kimi again`, async () => {
        const client = anthropicClient(gw.url);
        const ask = { model: modelFor('openai.chat'), max_tokens: 200, tools: anthropicTools, messages: [{ role: 'user' as const, content: 'weather?' }] };
        const first = stream ? await client.messages.stream(ask).finalMessage() : await client.messages.create(ask);
        const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        expect(uses.map((u) => u.id), 'the client sees the ids the upstream minted').to.deep.equal(KIMI_IDS);
        const history: Anthropic.MessageParam[] = [
          ask.messages[0]!,
          { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
          { role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: 'sunny' })) },
        ];
        const claude = await client.messages.create({ ...ask, model: modelFor('anthropic.messages'), messages: history });
        expect(claude.content).to.deep.equal([{ type: 'text', text: 'Sunny.' }]);
        expectMapped();
        const counted = await client.messages.countTokens({ model: modelFor('anthropic.messages'), tools: anthropicTools, messages: history });
        expect(counted.input_tokens, 'count_tokens passes through with mapped ids').to.equal(99);
        expectMapped();

        const kimi = await client.messages.create({ ...ask, messages: history });
        expect(kimi.content).to.deep.equal([{ type: 'text', text: 'Sunny.' }]);
        const sent = seen('openai.chat').at(-1)!.body!['messages'] as Record<string, unknown>[];
        const back = sent.flatMap((m) => (m['role'] === 'tool' ? [String(m['tool_call_id'])] : ((m['tool_calls'] as { id: string }[] | undefined) ?? []).map((c) => c.id)));
        expect(back, 'Kimi gets its own ids back').to.deep.equal([...KIMI_IDS, ...KIMI_IDS]);
      });
    }
  });
  describe('ids longer than OpenAI takes (40 characters in Chat, 64 in Responses) are shortened for it', () => {
    // Gemini CLI names a call `<tool>_<timestamp>_<n>`: an MCP tool's name makes it longer than 40.
    const LONG_IDS = ['github__create_pull_request_1795340633261_0', 'github__create_pull_request_1795340633261_1'];
    const expectShortened = (): string[] => {
      const [calls, results] = chatIds(seen('openai.chat').at(-1)!.body);
      expect(calls).to.have.length(2);
      expect(calls, 'call and result mapped alike').to.deep.equal(results);
      expect(calls.every((id) => id.length <= 40)).to.equal(true);
      expect(new Set(calls).size, 'distinct ids stay distinct').to.equal(2);
      return calls;
    };

    it('Gemini client history → Chat upstream (deterministic: the same ids every turn)', async () => {
      const ask = {
        model: modelFor('openai.chat'),
        contents: [
          { role: 'user', parts: [{ text: 'open two PRs' }] },
          { role: 'model', parts: LONG_IDS.map((id, i) => ({ functionCall: { id, name: 'get_weather', args: { city: i ? 'Tokyo' : 'Paris' } } })) },
          { role: 'user', parts: LONG_IDS.map((id) => ({ functionResponse: { id, name: 'get_weather', response: { output: 'sunny' } } })) },
        ],
      };
      const r = await genaiClient(gw.url).models.generateContent(ask);
      expect(r.text).to.equal('Sunny.');
      const first = expectShortened();
      await genaiClient(gw.url).models.generateContent(ask);
      expect(expectShortened()).to.deep.equal(first);
    });

    it('Responses client history → Chat upstream; ids that fit are sent as they are', async () => {
      const ids = [LONG_IDS[0]!, 'call_fits'];
      const input: OpenAI.Responses.ResponseInputItem[] = [
        { role: 'user', content: 'weather?' },
        ...ids.map((id, i) => ({ type: 'function_call' as const, call_id: id, name: 'get_weather', arguments: JSON.stringify({ city: i ? 'Tokyo' : 'Paris' }) })),
        ...ids.map((id) => ({ type: 'function_call_output' as const, call_id: id, output: 'sunny' })),
      ];
      const r = await openaiClient(gw.url).responses.create({ model: modelFor('openai.chat'), input, tools: responsesTools });
      expect(r.output_text).to.equal('Sunny.');
      expect(expectShortened()[1]).to.equal('call_fits');
    });

    it('Gemini client history → Responses upstream: call_id at most 64 characters, call and output alike', async () => {
      const id = `mcp__github_enterprise_server__create_pull_request_review_comment_1795340633261_0`;
      const r = await genaiClient(gw.url).models.generateContent({
        model: modelFor('openai.responses'),
        contents: [
          { role: 'user', parts: [{ text: 'review it' }] },
          { role: 'model', parts: [{ functionCall: { id, name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { id, name: 'get_weather', response: { output: 'sunny' } } }] },
        ],
      });
      expect(r.text).to.equal('Sunny.');
      const sent = (seen('openai.responses').at(-1)!.body!['input'] as Record<string, unknown>[]).filter((i) => i['call_id'] !== undefined).map((i) => String(i['call_id']));
      expect(sent).to.have.length(2);
      expect(sent[0]).to.equal(sent[1]);
      expect(sent[0]!.length).to.be.at.most(64);
    });
  });
});
