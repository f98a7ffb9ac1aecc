// Chat requests → IR and IR → Chat requests, including requests recorded from the openai SDK.
import { expect } from 'chai';
import { GatewayError, type JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { openaiChat } from '../../../../plugins/translator/protocols/chat/index.js';
import { emptyRequest, fixtureJson } from './helpers.js';

function decode(body: JsonObject, stream = false): IrRequest {
  return openaiChat.decodeRequest(body, 'upstream-model', stream);
}
function bodyOf(fixture: string): JsonObject {
  return fixtureJson(fixture)['body'] as JsonObject;
}

describe('chat codec: recorded openai SDK requests', () => {
  it('decodes the plain chat request', () => {
    expect(decode(bodyOf('sdk.openai6.chat.json'))).to.deep.equal({
      model: 'upstream-model', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
      tools: [], stop: [], stream: false, dropped: [],
    });
  });

  it('consumes stream and stream_options without reporting them as dropped', () => {
    const ir = decode(bodyOf('sdk.openai6.chat.stream.json'), true);
    expect(ir.stream).to.equal(true);
    expect(ir.dropped).to.deep.equal([]);
    expect(openaiChat.encodeRequest(ir)).to.deep.equal({
      model: 'upstream-model', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true },
    });
  });

  it('decodes the tool round trip, naming the tool result from the earlier call, and encodes it back', () => {
    const body = bodyOf('sdk.openai6.chat.tools.json');
    const ir = decode(body);
    expect(ir.messages).to.deep.equal([
      { role: 'user', parts: [{ type: 'text', text: 'weather? [[mock:tool=get_weather {"city":"Paris"}]]' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_mock_mwrngjh30003', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_mock_mwrngjh30003', name: 'get_weather', content: [{ type: 'text', text: 'sunny, 21C' }], isError: false }] },
    ]);
    expect(ir.tools).to.deep.equal([{
      name: 'get_weather', description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    }]);
    const encoded = openaiChat.encodeRequest(ir);
    // The SDK's own `refusal: null` is the only thing not carried back.
    const expected = structuredClone(body);
    delete (expected['messages'] as JsonObject[])[1]!['refusal'];
    expected['model'] = 'upstream-model';
    expect(encoded).to.deep.equal(expected);
  });
});

describe('chat codec: decodeRequest', () => {
  it('takes leading system and developer messages as the system prompt, later ones in place', () => {
    const ir = decode({
      model: 'm', messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Reminder: be nice.' },
      ],
    });
    expect(ir.system).to.deep.equal([{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Use metric units.' }]);
    expect(ir.messages).to.deep.equal([
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'system', parts: [{ type: 'text', text: 'Reminder: be nice.' }] },
    ]);
  });

  it('decodes user images (URL and data: URL) and drops audio and Files API files by name', () => {
    const ir = decode({
      model: 'm', messages: [{
        role: 'user', content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
          { type: 'file', file: { file_id: 'file-1' } },
        ],
      }],
    });
    expect(ir.messages[0]!.parts).to.deep.equal([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
    ]);
    expect(ir.dropped).to.deep.equal(['messages[0].content[3](input_audio)', 'messages[0].content[4].file.file_id']);
  });

  it('decodes an assistant turn: reasoning first, then text, refusal and tool calls', () => {
    const ir = decode({
      model: 'm', messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant', reasoning_content: 'Need two lookups.', content: [{ type: 'text', text: 'Looking.' }], refusal: 'Not that one.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
            { id: 'call_b', type: 'function', function: { name: 'fetch', arguments: '{}' }, extra_content: { google: { thought_signature: 'c2ln' } } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: [{ type: 'text', text: 'A' }] },
        { role: 'tool', tool_call_id: 'call_b', content: 'B' },
        { role: 'user', content: 'thanks' },
        { role: 'assistant', reasoning: 'OpenRouter-style field.', content: 'ok' },
      ],
    });
    expect(ir.messages).to.deep.equal([
      { role: 'user', parts: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant', parts: [
          { type: 'thinking', text: 'Need two lookups.' },
          { type: 'text', text: 'Looking.' },
          { type: 'text', text: 'Not that one.' },
          { type: 'tool_call', id: 'call_a', name: 'lookup', arguments: '{"q":"a"}' },
          { type: 'tool_call', id: 'call_b', name: 'fetch', arguments: '{}', signature: 'c2ln' },
        ],
      },
      {
        role: 'user', parts: [
          { type: 'tool_result', callId: 'call_a', name: 'lookup', content: [{ type: 'text', text: 'A' }], isError: false },
          { type: 'tool_result', callId: 'call_b', name: 'fetch', content: [{ type: 'text', text: 'B' }], isError: false },
        ],
      },
      { role: 'user', parts: [{ type: 'text', text: 'thanks' }] },
      { role: 'assistant', parts: [{ type: 'thinking', text: 'OpenRouter-style field.' }, { type: 'text', text: 'ok' }] },
    ]);
  });

  it('matches legacy function_call and function-role messages and reads legacy functions', () => {
    const ir = decode({
      model: 'm',
      functions: [{ name: 'sum', parameters: { type: 'object', properties: { a: { type: 'number' } } } }],
      function_call: { name: 'sum' },
      messages: [
        { role: 'user', content: '1+2' },
        { role: 'assistant', content: null, function_call: { name: 'sum', arguments: '{"a":1}' } },
        { role: 'function', name: 'sum', content: '3' },
      ],
    });
    expect(ir.tools).to.deep.equal([{ name: 'sum', parameters: { type: 'object', properties: { a: { type: 'number' } } } }]);
    expect(ir.toolChoice).to.deep.equal({ name: 'sum' });
    expect(ir.messages.slice(1)).to.deep.equal([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_legacy_1', name: 'sum', arguments: '{"a":1}' }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_legacy_1', name: 'sum', content: [{ type: 'text', text: '3' }], isError: false }] },
    ]);
  });

  it('decodes custom (freeform) tools and their calls', () => {
    const ir = decode({
      model: 'm',
      tools: [{ type: 'custom', custom: { name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } } }],
      tool_choice: { type: 'custom', custom: { name: 'apply_patch' } },
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } }] }],
    });
    expect(ir.tools).to.deep.equal([{
      name: 'apply_patch', description: 'Apply a patch',
      parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
      freeform: { format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
    }]);
    expect(ir.toolChoice).to.deep.equal({ name: 'apply_patch' });
    expect(ir.messages[0]!.parts).to.deep.equal([{ type: 'tool_call', id: 'c1', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' }]);
  });

  const scalarCases: { name: string; body: JsonObject; expect: Partial<IrRequest> }[] = [
    { name: 'tool_choice none', body: { tool_choice: 'none' }, expect: { toolChoice: 'none' } },
    { name: 'tool_choice auto', body: { tool_choice: 'auto' }, expect: { toolChoice: 'auto' } },
    { name: 'tool_choice required', body: { tool_choice: 'required' }, expect: { toolChoice: 'required' } },
    { name: 'tool_choice function', body: { tool_choice: { type: 'function', function: { name: 'f' } } }, expect: { toolChoice: { name: 'f' } } },
    { name: 'parallel_tool_calls', body: { parallel_tool_calls: false }, expect: { parallelToolCalls: false } },
    { name: 'max_completion_tokens wins over max_tokens', body: { max_completion_tokens: 500, max_tokens: 100 }, expect: { maxTokens: 500 } },
    { name: 'max_tokens alone', body: { max_tokens: 100 }, expect: { maxTokens: 100 } },
    { name: 'stop string', body: { stop: 'END' }, expect: { stop: ['END'] } },
    { name: 'stop array', body: { stop: ['a', 'b'] }, expect: { stop: ['a', 'b'] } },
    { name: 'temperature and top_p', body: { temperature: 0.2, top_p: 0.9 }, expect: { temperature: 0.2, topP: 0.9 } },
    { name: 'reasoning_effort high', body: { reasoning_effort: 'high' }, expect: { reasoning: { enabled: true, effort: 'high' } } },
    { name: 'reasoning_effort minimal', body: { reasoning_effort: 'minimal' }, expect: { reasoning: { enabled: true, effort: 'minimal' } } },
    { name: 'reasoning_effort none turns reasoning off', body: { reasoning_effort: 'none' }, expect: { reasoning: { enabled: false, effort: 'none' } } },
    { name: 'response_format json_object', body: { response_format: { type: 'json_object' } }, expect: { responseFormat: { type: 'json_object' } } },
    {
      name: 'response_format json_schema',
      body: { response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object' }, strict: true } } },
      expect: { responseFormat: { type: 'json_schema', name: 'person', schema: { type: 'object' }, strict: true } },
    },
    { name: 'user', body: { user: 'u-42' }, expect: { user: 'u-42' } },
    { name: 'safety_identifier stands for user', body: { safety_identifier: 's-1' }, expect: { user: 's-1' } },
    { name: 'n = 1 is fine', body: { n: 1 }, expect: { dropped: [] } },
    { name: 'seed and penalties', body: { seed: 7, presence_penalty: 0.5, frequency_penalty: -0.1 }, expect: { seed: 7, presencePenalty: 0.5, frequencyPenalty: -0.1 } },
    {
      name: 'untranslatable fields are dropped by name',
      body: {
        logprobs: true, top_logprobs: 2, logit_bias: { '50256': -100 },
        audio: { voice: 'alloy', format: 'mp3' }, modalities: ['text'], prediction: { type: 'content', content: 'x' }, service_tier: 'flex',
        store: true, metadata: { a: 'b' }, web_search_options: {}, prompt_cache_key: 'k',
      },
      expect: {
        dropped: ['logprobs', 'top_logprobs', 'logit_bias', 'audio', 'modalities',
          'prediction', 'service_tier', 'store', 'metadata', 'web_search_options', 'prompt_cache_key'],
      },
    },
  ];
  for (const c of scalarCases) {
    it(`maps ${c.name}`, () => {
      const ir = decode({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...c.body });
      expect(ir).to.deep.include(c.expect);
    });
  }

  const invalidCases: { name: string; body: JsonObject; param: string }[] = [
    { name: 'n > 1', body: { n: 2 }, param: 'n' },
    { name: 'messages missing', body: { messages: null }, param: 'messages' },
    { name: 'unknown reasoning_effort', body: { reasoning_effort: 'extreme' }, param: 'reasoning_effort' },
    { name: 'tool message without tool_call_id', body: { messages: [{ role: 'tool', content: 'x' }] }, param: 'messages[0].tool_call_id' },
    { name: 'unknown role', body: { messages: [{ role: 'robot', content: 'x' }] }, param: 'messages[0].role' },
  ];
  for (const c of invalidCases) {
    it(`rejects ${c.name} with SLUICE_E_INVALID_REQUEST`, () => {
      const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], ...c.body };
      let err: unknown;
      try { decode(body); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(GatewayError);
      expect((err as GatewayError).code).to.equal('SLUICE_E_INVALID_REQUEST');
      expect((err as GatewayError).param).to.equal(c.param);
      if (c.name === 'n > 1') expect((err as GatewayError).message).to.equal('n > 1 cannot be translated');
    });
  }
});

describe('chat codec: encodeRequest', () => {
  /** An IR shaped like a Claude Code turn decoded by the Anthropic codec. */
  const claudeLike: IrRequest = emptyRequest({
    model: 'gpt-5', stream: true, maxTokens: 32000, temperature: 1, topK: 40, stop: ['\n\nHuman:'],
    system: [{ type: 'text', text: 'You are Claude Code.', cache: { type: 'ephemeral' } }, { type: 'text', text: 'Be concise.' }],
    tools: [{ name: 'Bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } }, cache: { type: 'ephemeral' } }],
    toolChoice: 'auto', parallelToolCalls: true, reasoning: { enabled: true, budgetTokens: 10000 }, user: 'user_abc',
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'List files' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } }] },
      { role: 'system', parts: [{ type: 'text', text: 'Mid-conversation reminder.' }] },
      {
        role: 'assistant', parts: [
          { type: 'thinking', text: 'I will run ls.', signature: 'EqoBsig' },
          { type: 'text', text: 'Running ls.' },
          { type: 'tool_call', id: 'toolu_1', name: 'Bash', arguments: '{"command":"ls"}' },
          { type: 'tool_call', id: 'toolu_2', name: 'Bash', arguments: '{"command":"pwd"}' },
        ],
      },
      {
        role: 'user', parts: [
          { type: 'tool_result', callId: 'toolu_1', name: 'Bash', content: [{ type: 'text', text: 'a.txt' }, { type: 'text', text: 'b.txt' }], isError: false },
          { type: 'tool_result', callId: 'toolu_2', content: [{ type: 'text', text: 'denied' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }], isError: true },
          { type: 'text', text: 'Now summarise.' },
        ],
      },
    ],
  });

  it('encodes a Claude-Code-like turn: tool messages follow the call, thinking becomes reasoning_content', () => {
    expect(openaiChat.encodeRequest(claudeLike)).to.deep.equal({
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nBe concise.' },
        { role: 'user', content: [{ type: 'text', text: 'List files' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }] },
        { role: 'system', content: 'Mid-conversation reminder.' },
        {
          role: 'assistant', content: 'Running ls.', reasoning_content: 'I will run ls.',
          reasoning_details: [{ type: 'reasoning.text', text: 'I will run ls.', signature: 'EqoBsig', index: 0 }],
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'Bash', arguments: '{"command":"pwd"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt\n\nb.txt' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'denied' },
        // the tool result's image follows the tool messages (they hold text only)
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }, { type: 'text', text: 'Now summarise.' }] },
      ],
      tools: [{ type: 'function', function: { name: 'Bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      // no `stop`: gpt-5 refuses it (openai-models.ts)
      tool_choice: 'auto', parallel_tool_calls: true, max_completion_tokens: 32000, temperature: 1,
      reasoning_effort: 'medium', user: 'user_abc', stream: true, stream_options: { include_usage: true },
    });
  });

  it('leaves tool_choice and parallel_tool_calls out when there are no tools', () => {
    const body = openaiChat.encodeRequest(emptyRequest({ toolChoice: 'required', parallelToolCalls: false, messages: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] }));
    expect(body).to.deep.equal({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
  });

  it('encodes a named tool choice, freeform tools as functions, and a Gemini call signature', () => {
    const body = openaiChat.encodeRequest(emptyRequest({
      tools: [{ name: 'apply_patch', parameters: { type: 'object', properties: { input: { type: 'string' } } }, freeform: {}, strict: true }],
      toolChoice: { name: 'apply_patch' },
      messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'apply_patch', arguments: '{"input":"x"}', signature: 'gsig' }] }],
    }));
    expect(body['tools']).to.deep.equal([{ type: 'function', function: { name: 'apply_patch', parameters: { type: 'object', properties: { input: { type: 'string' } } }, strict: true } }]);
    expect(body['tool_choice']).to.deep.equal({ type: 'function', function: { name: 'apply_patch' } });
    expect(body['messages']).to.deep.equal([{
      role: 'assistant', content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"x"}' }, extra_content: { google: { thought_signature: 'gsig' } } }],
    }]);
  });

  const effortCases: { reasoning: IrRequest['reasoning']; effort: string | undefined }[] = [
    { reasoning: { enabled: true, effort: 'low' }, effort: 'low' },
    { reasoning: { enabled: true, effort: 'minimal' }, effort: 'minimal' },
    { reasoning: { enabled: true, effort: 'xhigh' }, effort: 'high' },
    { reasoning: { enabled: true, effort: 'max' }, effort: 'high' },
    { reasoning: { enabled: true, budgetTokens: 1024 }, effort: 'low' },
    { reasoning: { enabled: true, budgetTokens: 4096 }, effort: 'medium' },
    { reasoning: { enabled: true, budgetTokens: 16383 }, effort: 'medium' },
    { reasoning: { enabled: true, budgetTokens: 16384 }, effort: 'high' },
    { reasoning: { enabled: true }, effort: undefined },
    { reasoning: { enabled: false }, effort: undefined },
    { reasoning: { enabled: false, effort: 'none' }, effort: 'none' },
  ];
  for (const c of effortCases) {
    it(`maps reasoning ${JSON.stringify(c.reasoning)} to reasoning_effort ${String(c.effort)}`, () => {
      expect(openaiChat.encodeRequest(emptyRequest({ model: 'gpt-5', reasoning: c.reasoning }))['reasoning_effort']).to.equal(c.effort);
    });
  }

  it('sends gpt-5.1 and later `low` for a minimal effort, which they refuse (gpt-5 keeps it)', () => {
    const effort = (model: string) => openaiChat.encodeRequest(emptyRequest({ model, reasoning: { enabled: true, effort: 'minimal' } }))['reasoning_effort'];
    expect(effort('gpt-5.5')).to.equal('low');
    expect(effort('gpt-5.1-2025-11-13')).to.equal('low');
    expect(effort('openai/gpt-5.4-mini')).to.equal('low');
    expect(effort('gpt-5-mini')).to.equal('minimal');
  });

  it('sends a reasoning OpenAI model only the default sampling, which is all it takes', () => {
    const sampled = (model: string, reasoning?: IrRequest['reasoning']) => {
      const body = openaiChat.encodeRequest(emptyRequest({ model, temperature: 0.2, topP: 0.9, ...(reasoning ? { reasoning } : {}) }));
      return { temperature: body['temperature'], top_p: body['top_p'] };
    };
    expect(sampled('o3')).to.deep.equal({ temperature: undefined, top_p: undefined });
    expect(sampled('gpt-5-mini')).to.deep.equal({ temperature: undefined, top_p: undefined });
    expect(sampled('gpt-5.1', { enabled: true, effort: 'high' })).to.deep.equal({ temperature: undefined, top_p: undefined });
    // gpt-5.1 and later reason only when asked: without an effort, or with `none`, they sample as told.
    expect(sampled('gpt-5.1')).to.deep.equal({ temperature: 0.2, top_p: 0.9 });
    expect(sampled('gpt-5.1', { enabled: false, effort: 'none' })).to.deep.equal({ temperature: 0.2, top_p: 0.9 });
    // gpt-5.5 (and the pro models) reason at medium when no effort is given: only `none` lets them sample.
    expect(sampled('gpt-5.5')).to.deep.equal({ temperature: undefined, top_p: undefined });
    expect(sampled('gpt-5.5-2026-04-23', { enabled: false })).to.deep.equal({ temperature: undefined, top_p: undefined });
    expect(sampled('gpt-5.4-pro')).to.deep.equal({ temperature: undefined, top_p: undefined });
    expect(sampled('gpt-5.5', { enabled: false, effort: 'none' })).to.deep.equal({ temperature: 0.2, top_p: 0.9 });
    expect(sampled('gpt-5.4')).to.deep.equal({ temperature: 0.2, top_p: 0.9 });
    expect(sampled('gpt-4o')).to.deep.equal({ temperature: 0.2, top_p: 0.9 });
    expect(openaiChat.encodeRequest(emptyRequest({ model: 'o3', temperature: 1, topP: 1 }))).to.deep.include({ temperature: 1, top_p: 1 });
  });

  it('sends no reasoning_effort to OpenAI models without reasoning, which refuse it; other names get it', () => {
    for (const model of ['gpt-4o-mini', 'gpt-4o-2024-08-06', 'gpt-4.1-nano', 'gpt-4-turbo', 'gpt-4', 'gpt-3.5-turbo', 'openai/gpt-4o']) {
      expect(openaiChat.encodeRequest(emptyRequest({ model, reasoning: { enabled: true, effort: 'high' } })), model).to.not.have.property('reasoning_effort');
    }
    for (const model of ['o4-mini', 'gpt-5.1', 'gpt-oss-120b', 'qwen3-coder', 'deepseek-reasoner']) {
      expect(openaiChat.encodeRequest(emptyRequest({ model, reasoning: { enabled: true, effort: 'high' } }))['reasoning_effort'], model).to.equal('high');
    }
  });

  it('encodes response formats', () => {
    expect(openaiChat.encodeRequest(emptyRequest({ responseFormat: { type: 'json_schema', name: 'p', schema: { type: 'object' }, strict: true } }))['response_format'])
      .to.deep.equal({ type: 'json_schema', json_schema: { name: 'p', schema: { type: 'object' }, strict: true } });
    expect(openaiChat.encodeRequest(emptyRequest({ responseFormat: { type: 'json_object' } }))['response_format']).to.deep.equal({ type: 'json_object' });
  });

  it('round-trips a decoded request with every mapped field', () => {
    const body: JsonObject = {
      model: 'upstream-model',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://e.com/i.png', detail: 'low' } }] },
        { role: 'assistant', content: 'done', reasoning_content: 'hmm' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: false } }],
      tool_choice: 'required', parallel_tool_calls: false, max_completion_tokens: 10, temperature: 0, top_p: 1, stop: ['x'],
      reasoning_effort: 'low', response_format: { type: 'text' }, user: 'u', stream: true, stream_options: { include_usage: true },
    };
    expect(openaiChat.encodeRequest(decode(body, true))).to.deep.equal(body);
  });
});
