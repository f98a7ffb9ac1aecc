// Anthropic Messages JSON responses: upstream → IR → client, and signatures across turns.
import { expect } from 'chai';
import { GatewayError, type JsonObject } from '../../../../core/index.js';
import type { IrResponse } from '../../../../plugins/translator/ir.js';
import { anthropicMessages } from '../../../../plugins/translator/protocols/anthropic/index.js';
import { ctx, usage } from './helpers.js';

const upstreamMessage: JsonObject = {
  id: 'msg_01AbCdEf', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'Two cities, two calls.', signature: 'EqQBCgIYAhIM-sig' },
    { type: 'redacted_thinking', data: 'EmwKAhgB' },
    { type: 'text', text: 'Checking.', citations: null },
    { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
    { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Tōkyō' } },
  ],
  stop_reason: 'tool_use', stop_sequence: null,
  usage: { input_tokens: 30, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 90, output_tokens_details: { thinking_tokens: 40 }, service_tier: 'standard' },
};

const expectedIr: IrResponse = {
  id: 'msg_01AbCdEf', model: 'claude-sonnet-4-5-20250929',
  parts: [
    { type: 'thinking', text: 'Two cities, two calls.', signature: 'EqQBCgIYAhIM-sig' },
    { type: 'redacted_thinking', data: 'EmwKAhgB' },
    { type: 'text', text: 'Checking.' },
    { type: 'tool_call', id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'tool_call', id: 'toolu_02', name: 'get_weather', arguments: '{"city":"Tōkyō"}' },
  ],
  stopReason: 'tool_use',
  usage: usage({ inputTokens: 30, outputTokens: 90, cacheReadTokens: 2000, cacheWriteTokens: 100, reasoningTokens: 40 }),
};

describe('anthropic codec: responses', () => {
  it('decodes a message with thinking, redacted thinking, text and tool calls (server tool blocks skipped)', () => {
    expect(anthropicMessages.decodeResponse(upstreamMessage)).to.deep.equal(expectedIr);
  });

  it('encodes for the client with its model, a minted id and every usage class', () => {
    expect(anthropicMessages.encodeResponse(expectedIr, ctx())).to.deep.equal({
      id: 'msg_req0123456789abcdef', type: 'message', role: 'assistant', model: 'claude-client-model',
      content: [
        { type: 'thinking', thinking: 'Two cities, two calls.', signature: 'EqQBCgIYAhIM-sig' },
        { type: 'redacted_thinking', data: 'EmwKAhgB' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Tōkyō' } },
      ],
      stop_reason: 'tool_use', stop_sequence: null, stop_details: null,
      usage: { input_tokens: 30, output_tokens: 90, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000 },
    });
  });

  const stops: [string | null, IrResponse['stopReason']][] = [
    ['end_turn', 'end_turn'], ['max_tokens', 'max_tokens'], ['stop_sequence', 'stop_sequence'], ['tool_use', 'tool_use'],
    ['pause_turn', 'pause'], ['refusal', 'refusal'], ['model_context_window_exceeded', 'max_tokens'], [null, 'end_turn'],
  ];
  for (const [wire, ir] of stops) {
    it(`stop_reason ${wire} ⇄ ${ir}`, () => {
      const decoded = anthropicMessages.decodeResponse({ ...upstreamMessage, content: [{ type: 'text', text: 'x' }], stop_reason: wire, stop_sequence: wire === 'stop_sequence' ? '###' : null });
      expect(decoded.stopReason).to.equal(ir);
      expect(decoded.stopSequence).to.equal(wire === 'stop_sequence' ? '###' : undefined);
      const back = anthropicMessages.encodeResponse(decoded, ctx());
      expect(back['stop_reason']).to.equal(wire === 'model_context_window_exceeded' ? 'max_tokens' : (wire ?? 'end_turn'));
    });
  }

  it('content_filter from another provider becomes refusal; tool calls with end_turn become tool_use', () => {
    const base: IrResponse = { id: 'x', model: 'm', parts: [{ type: 'text', text: 'no' }], stopReason: 'content_filter', usage: usage() };
    expect(anthropicMessages.encodeResponse(base, ctx())['stop_reason']).to.equal('refusal');
    const tools: IrResponse = { ...base, stopReason: 'end_turn', parts: [{ type: 'tool_call', id: 'call_1', name: 'f', arguments: '' }] };
    const out = anthropicMessages.encodeResponse(tools, ctx());
    expect(out['stop_reason']).to.equal('tool_use');
    expect(out['content']).to.deep.equal([{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }]);
  });

  it('thinking without a signature (another provider) goes out with an empty signature and is not replayed upstream', () => {
    const r: IrResponse = { id: 'x', model: 'm', parts: [{ type: 'thinking', text: 'hmm' }, { type: 'text', text: 'hi' }], stopReason: 'end_turn', usage: usage() };
    const client = anthropicMessages.encodeResponse(r, ctx());
    expect((client['content'] as JsonObject[])[0]).to.deep.equal({ type: 'thinking', thinking: 'hmm', signature: '' });
    const next = anthropicMessages.decodeRequest({ model: 'm', max_tokens: 10, messages: [
      { role: 'user', content: 'q' }, { role: 'assistant', content: client['content'] ?? [] }, { role: 'user', content: 'again' },
    ] }, 'm', false);
    expect(next.messages[1]!.parts[0]).to.deep.equal({ type: 'thinking', text: 'hmm' });
    const upstream = anthropicMessages.encodeRequest(next);
    expect((upstream['messages'] as JsonObject[])[1]).to.deep.equal({ role: 'assistant', content: [{ type: 'text', text: 'hi' }] });
  });

  it('a thinking signature survives response → client → next request → upstream', () => {
    const ir = anthropicMessages.decodeResponse(upstreamMessage);
    const client = anthropicMessages.encodeResponse(ir, ctx());
    // Claude Code sends the assistant content back verbatim with the tool results
    const nextBody: JsonObject = { model: 'claude-client-model', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [
      { role: 'user', content: 'weather in Paris and Tokyo?' },
      { role: 'assistant', content: client['content'] ?? [] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C' },
        { type: 'tool_result', tool_use_id: 'toolu_02', content: '25°C' },
      ] },
    ] };
    const upstream = anthropicMessages.encodeRequest(anthropicMessages.decodeRequest(nextBody, 'claude-sonnet-4-5', false));
    const assistant = (upstream['messages'] as JsonObject[])[1]!;
    expect(assistant['content']).to.deep.equal([
      { type: 'thinking', thinking: 'Two cities, two calls.', signature: 'EqQBCgIYAhIM-sig' },
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Tōkyō' } },
    ]);
    expect(upstream['thinking']).to.deep.equal({ type: 'enabled', budget_tokens: 1024 });
  });

  it('an error body becomes a GatewayError with the upstream status class', () => {
    const body = { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } };
    let caught: unknown;
    try { anthropicMessages.decodeResponse(body); } catch (err) { caught = err; }
    expect(caught).to.be.instanceOf(GatewayError);
    const e = caught as GatewayError;
    expect([e.code, e.status, e.message]).to.deep.equal(['SLUICE_E_UPSTREAM_ERROR', 429, 'Number of requests has exceeded your rate limit']);
    expect(e.upstream).to.deep.equal({ family: 'anthropic', body });
    expect(() => anthropicMessages.decodeResponse('oops')).to.throw(GatewayError);
  });

  it('an error type named like an Object.prototype member (constructor) is an unknown one: 500', () => {
    let caught: unknown;
    try { anthropicMessages.decodeResponse({ type: 'error', error: { type: 'constructor', message: 'x' } }); } catch (err) { caught = err; }
    expect((caught as GatewayError).status).to.equal(500);
  });
});
