// Responses JSON responses: upstream → IR, IR → client, round trips, and reasoning state carried
// across turns.
import { expect } from 'chai';
import { GatewayError, type JsonObject } from '../../../../core/index.js';
import type { IrResponse } from '../../../../plugins/translator/ir.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { context, irRequest } from './helpers.js';

const UPSTREAM: JsonObject = {
  id: 'resp_upstream1', object: 'response', created_at: 1795340000, status: 'completed', error: null, incomplete_details: null,
  model: 'gpt-5.5-2026-10-01',
  output: [
    { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan A' }, { type: 'summary_text', text: 'Plan B' }], encrypted_content: 'enc-state-1' },
    { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [
      { type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] },
      { type: 'refusal', refusal: ' (partly refused)' },
    ] },
    { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
    { id: 'ctc_1', type: 'custom_tool_call', status: 'completed', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch\n"q"\n*** End Patch' },
    { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'x' } },
  ],
  usage: { input_tokens: 1500, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 200, output_tokens_details: { reasoning_tokens: 120 }, total_tokens: 1700 },
};

const UPSTREAM_IR: IrResponse = {
  id: 'resp_upstream1',
  model: 'gpt-5.5-2026-10-01',
  parts: [
    { type: 'thinking', text: 'Plan A\n\nPlan B', signature: 'enc-state-1' },
    { type: 'text', text: 'Let me check.' },
    { type: 'text', text: ' (partly refused)' },
    { type: 'tool_call', id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
    { type: 'tool_call', id: 'call_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n\\"q\\"\\n*** End Patch"}' },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 500, outputTokens: 200, cacheReadTokens: 1000, cacheWriteTokens: 0, reasoningTokens: 120, estimated: false },
};

const APPLY_PATCH = { name: 'apply_patch', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] }, freeform: {} };
const EXEC = { name: 'exec_command', description: 'Run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false };

describe('responses codec: decodeResponse', () => {
  it('maps every output item kind and splits cached tokens out of input_tokens', () => {
    expect(openaiResponses.decodeResponse(UPSTREAM)).to.deep.equal(UPSTREAM_IR);
  });

  it('incomplete at max_output_tokens → max_tokens, content_filter → content_filter, text only → end_turn', () => {
    const base: JsonObject = { ...UPSTREAM, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'x' }] }] };
    expect(openaiResponses.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }).stopReason).to.equal('max_tokens');
    expect(openaiResponses.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' } }).stopReason).to.equal('content_filter');
    expect(openaiResponses.decodeResponse(base).stopReason).to.equal('end_turn');
  });

  it('a failed response is an upstream error carrying its message and code', () => {
    let err: unknown;
    try {
      openaiResponses.decodeResponse({ ...UPSTREAM, status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } });
    } catch (e) { err = e; }
    expect(err).to.be.instanceOf(GatewayError);
    const g = err as GatewayError;
    expect(g.code).to.equal('SLUICE_E_UPSTREAM_ERROR');
    expect(g.status).to.equal(502);
    expect(g.message).to.equal('boom');
    expect(g.upstream).to.deep.equal({ family: 'openai', body: { error: { message: 'boom', type: 'api_error', param: null, code: 'server_error' } } });
  });
});

describe('responses codec: encodeResponse', () => {
  const request = irRequest({
    system: [{ type: 'text', text: 'You are Codex.' }],
    tools: [EXEC, APPLY_PATCH],
    maxTokens: 4000,
    reasoning: { enabled: true, effort: 'high', includeThoughts: true },
    parallelToolCalls: false,
  });
  const ctx = context(request);

  it('builds the exact response object a Responses client expects', () => {
    const ir: IrResponse = {
      id: 'msg_anthropic', model: 'claude-x',
      parts: [
        { type: 'thinking', text: 'Step one. ' },
        { type: 'thinking', text: 'Step two.', signature: 'sig-A' },
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' world' },
        { type: 'tool_call', id: 'toolu_1', name: 'exec_command', arguments: '' },
        { type: 'tool_call', id: 'toolu_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40, reasoningTokens: 5, estimated: false },
    };
    expect(openaiResponses.encodeResponse(ir, ctx)).to.deep.equal({
      id: 'resp_req01J9ZK3Q7X', object: 'response', created_at: 1795340629, status: 'completed', error: null, incomplete_details: null,
      instructions: 'You are Codex.', max_output_tokens: 4000, model: 'codex-model',
      output: [
        { id: 'rs_req01J9ZK3Q7X_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Step one. Step two.' }], encrypted_content: 'sig-A' },
        { id: 'msg_req01J9ZK3Q7X_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello world', annotations: [], logprobs: [] }] },
        { id: 'fc_req01J9ZK3Q7X_2', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'toolu_1', name: 'exec_command' },
        { id: 'ctc_req01J9ZK3Q7X_3', type: 'custom_tool_call', status: 'completed', call_id: 'toolu_2', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
      ],
      parallel_tool_calls: false, previous_response_id: null,
      reasoning: { effort: 'high', summary: 'auto' },
      store: false, temperature: 1, top_p: 1, text: { format: { type: 'text' } }, tool_choice: 'auto',
      tools: [
        { type: 'function', name: 'exec_command', description: 'Run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
        { type: 'custom', name: 'apply_patch' },
      ],
      truncation: 'disabled',
      usage: { input_tokens: 80, input_tokens_details: { cached_tokens: 30 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 5 }, total_tokens: 100 },
      metadata: {},
    });
  });

  it('max_tokens → status incomplete with reason max_output_tokens', () => {
    const out = openaiResponses.encodeResponse({ ...UPSTREAM_IR, parts: [{ type: 'text', text: 'cut' }], stopReason: 'max_tokens' }, ctx);
    expect(out['status']).to.equal('incomplete');
    expect(out['incomplete_details']).to.deep.equal({ reason: 'max_output_tokens' });
  });

  it('round trip: encodeResponse then decodeResponse gives the same parts and usage', () => {
    const back = openaiResponses.decodeResponse(openaiResponses.encodeResponse(UPSTREAM_IR, ctx));
    expect(back.parts).to.deep.equal([
      UPSTREAM_IR.parts[0],
      { type: 'text', text: 'Let me check. (partly refused)' }, // one message item per run of text
      UPSTREAM_IR.parts[3],
      UPSTREAM_IR.parts[4],
    ]);
    expect(back.usage).to.deep.equal(UPSTREAM_IR.usage);
    expect(back.stopReason).to.equal('tool_use');
  });

  it('redacted thinking survives a trip through a Responses client and back', () => {
    const out = openaiResponses.encodeResponse({ ...UPSTREAM_IR, parts: [{ type: 'redacted_thinking', data: 'EqQBCkYIBxgC' }, { type: 'text', text: 'ok' }] }, ctx);
    const item = (out['output'] as JsonObject[])[0];
    expect(item).to.deep.equal({ id: 'rs_req01J9ZK3Q7X_0', type: 'reasoning', summary: [], encrypted_content: 'sluice-redacted:EqQBCkYIBxgC' });
    const next = openaiResponses.decodeRequest({ input: [{ type: 'message', role: 'user', content: 'q' }, item ?? {}] }, 'claude', false);
    expect(next.messages[1]?.parts).to.deep.equal([{ type: 'redacted_thinking', data: 'EqQBCkYIBxgC' }]);
  });
});

describe('responses codec: reasoning signatures across turns', () => {
  it('as upstream: the encrypted_content of one answer goes back verbatim in the next request', () => {
    const answer = openaiResponses.decodeResponse(UPSTREAM);
    const next = openaiResponses.encodeRequest(irRequest({
      tools: [EXEC, APPLY_PATCH],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', parts: answer.parts },
        { role: 'user', parts: [
          { type: 'tool_result', callId: 'call_1', name: 'exec_command', isError: false, content: [{ type: 'text', text: 'a.txt' }] },
          { type: 'tool_result', callId: 'call_2', name: 'apply_patch', isError: false, content: [{ type: 'text', text: 'Success' }] },
        ] },
      ],
    }));
    const input = next['input'] as JsonObject[];
    expect(input[1]).to.deep.equal({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan A\n\nPlan B' }], encrypted_content: 'enc-state-1' });
    expect(input.slice(3)).to.deep.equal([
      { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
      { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch\n"q"\n*** End Patch' },
      { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
      { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Success' },
    ]);
    expect(next['include']).to.deep.equal(['reasoning.encrypted_content']);
  });

  it('as client: the output items Codex replays decode back to the same thinking signature and calls', () => {
    const ctx = context(irRequest({ tools: [EXEC, APPLY_PATCH] }));
    const out = openaiResponses.encodeResponse(UPSTREAM_IR, ctx);
    const replay = openaiResponses.decodeRequest({ input: [{ role: 'user', content: 'go' }, ...(out['output'] as JsonObject[])] }, 'm', false);
    expect(replay.messages[1]).to.deep.equal({ role: 'assistant', parts: [
      UPSTREAM_IR.parts[0],
      { type: 'text', text: 'Let me check. (partly refused)' },
      UPSTREAM_IR.parts[3],
      UPSTREAM_IR.parts[4],
    ] });
  });
});
