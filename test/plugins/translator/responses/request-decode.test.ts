// Responses request → IR: recorded Codex CLI and openai SDK requests, then one case per mapping.
import { expect } from 'chai';
import { GatewayError, type JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { fixtureBody } from './helpers.js';

const decode = (body: JsonObject, stream = false): IrRequest => openaiResponses.decodeRequest(body, 'upstream-model', stream);

describe('responses codec: decodeRequest (recorded clients)', () => {
  it('Codex tool-output turn: developer prompts → system, call and output paired by call_id, hosted tools dropped', () => {
    const body = fixtureBody('codex.responses.tool-output-turn.json');
    const ir = decode(body, true);
    const input = body['input'] as JsonObject[];
    const dev = (i: number, j: number): string => ((input[i]?.['content'] as JsonObject[])[j]?.['text'] as string);
    expect(ir.model).to.equal('upstream-model');
    expect(ir.stream).to.equal(true);
    expect(ir.system.map((s) => s.text)).to.deep.equal([dev(0, 0), dev(1, 0), dev(1, 1), dev(1, 2)]);
    expect(ir.messages).to.deep.equal([
      { role: 'user', parts: [{ type: 'text', text: dev(2, 0) }] },
      { role: 'user', parts: [{ type: 'text', text: 'Run it [[mock:run=echo hello-from-codex]]' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_mock_mwrngf20000a', name: 'exec_command', arguments: '{"cmd":"echo hello-from-codex"}' }] },
      { role: 'user', parts: [{
        type: 'tool_result', callId: 'call_mock_mwrngf20000a', name: 'exec_command', isError: false,
        content: [{ type: 'text', text: 'Chunk ID: 269789\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 5\nOutput:\nhello-from-codex\n' }],
      }] },
    ]);
    expect(ir.tools.map((t) => t.name)).to.deep.equal(['exec_command', 'apply_patch', 'view_image']);
    const patch = ir.tools[1];
    expect(patch?.freeform?.format).to.deep.include({ type: 'grammar', syntax: 'lark' });
    expect(patch?.parameters).to.deep.equal({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(ir.tools[0]?.strict).to.equal(false);
    expect(ir.toolChoice).to.equal('auto');
    expect(ir.parallelToolCalls).to.equal(true);
    expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'medium', includeThoughts: false });
    expect(ir.responseFormat).to.equal(undefined);
    expect(ir.dropped).to.have.members([
      'store', 'include', 'prompt_cache_key', 'client_metadata', 'tools[3](tool_search)', 'tools[4](web_search)',
    ]);
  });

  it('Codex text turn: two user messages, no assistant', () => {
    const ir = decode(fixtureBody('codex.responses.text-turn.json'), true);
    expect(ir.messages.map((m) => m.role)).to.deep.equal(['user', 'user']);
    expect(ir.messages[1]?.parts).to.deep.equal([{ type: 'text', text: 'Say hello' }]);
    expect(ir.system).to.have.length(4);
  });

  it('Codex follow-up: reasoning + message + calls form ONE assistant message; late developer message stays in place', () => {
    const ir = decode(fixtureBody('codex.responses.reasoning-custom-tool-turn.json'), true);
    expect(ir.system.map((s) => s.text)).to.deep.equal(['You are Codex.', '<permissions instructions>sandbox</permissions instructions>']);
    expect(ir.messages).to.deep.equal([
      { role: 'user', parts: [{ type: 'text', text: 'Create hello.txt' }] },
      { role: 'assistant', parts: [
        { type: 'thinking', text: '**Planning the edit**\n\nA patch adds the file.', signature: 'gAAAAABpR3kZ_encrypted_reasoning_state_1==' },
        { type: 'text', text: 'Adding the file.' },
        { type: 'tool_call', id: 'call_patch1', name: 'apply_patch', arguments: JSON.stringify({ input: '*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n' }) },
      ] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_patch1', name: 'apply_patch', isError: false, content: [{ type: 'text', text: 'Success. Updated the following files:\nA hello.txt\n' }] }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_exec1', name: 'exec_command', arguments: '{"cmd":"cat hello.txt"}' }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_exec1', name: 'exec_command', isError: false, content: [{ type: 'text', text: 'hi\n' }] }] },
      { role: 'system', parts: [{ type: 'text', text: '<model_switch>now gpt-5.5</model_switch>' }] },
      { role: 'user', parts: [
        { type: 'text', text: 'Thanks' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
      ] },
    ]);
    expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'high', includeThoughts: true });
    expect(ir.dropped).to.have.members(['store', 'include', 'prompt_cache_key', 'tools[2](local_shell)', 'input[9](local_shell_call)', 'input[10](item_reference)']);
  });

  it('Codex additional_tools item: its tools are offered (namespaced ones flat), once, and it is no turn', () => {
    const fn = (name: string): JsonObject => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });
    const item: JsonObject = {
      type: 'additional_tools', role: 'developer',
      tools: [{ type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec' }, fn('exec_command')] }, fn('view_image'), { type: 'web_search' }],
    };
    const ir = decode({
      tools: [fn('view_image')],
      // With store off Codex replays the item with the history: the tools stay offered once.
      input: [item, { role: 'developer', content: 'rules' }, { role: 'user', content: 'hi' }, item],
    });
    expect(ir.tools.map((t) => [t.name, t.namespace, Boolean(t.freeform)])).to.deep.equal([
      ['view_image', undefined, false],
      ['functions__exec', { name: 'functions', tool: 'exec' }, true],
      ['functions__exec_command', { name: 'functions', tool: 'exec_command' }, false],
    ]);
    expect(ir.system).to.deep.equal([{ type: 'text', text: 'rules' }]);
    expect(ir.messages).to.deep.equal([{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
    expect(ir.dropped).to.have.members(['input[0].tools[2](web_search)', 'input[3].tools[2](web_search)']);
  });

  it('a tool_choice naming a namespaced tool as declared: the flat IR name; a tool of that name outside any namespace wins', () => {
    const fn = (name: string): JsonObject => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });
    const ns: JsonObject = { type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec' }, fn('exec_command'), fn('view_image')] };
    const choice = (tool_choice: JsonObject, tools: JsonObject[]) => decode({ tools, tool_choice, input: 'hi' }).toolChoice;
    expect(choice({ type: 'function', name: 'exec_command' }, [ns])).to.deep.equal({ name: 'functions__exec_command' });
    expect(choice({ type: 'custom', name: 'exec' }, [ns])).to.deep.equal({ name: 'functions__exec' });
    expect(choice({ type: 'function', name: 'view_image' }, [ns, fn('view_image')])).to.deep.equal({ name: 'view_image' });
    expect(decode({ tool_choice: { type: 'function', name: 'exec_command' }, input: [{ type: 'additional_tools', role: 'developer', tools: [ns] }, { role: 'user', content: 'hi' }] }).toolChoice)
      .to.deep.equal({ name: 'functions__exec_command' });
  });

  it('openai SDK: string input, easy messages, function_call with parsed_arguments', () => {
    expect(decode(fixtureBody('sdk.openai6.responses.json')).messages).to.deep.equal([{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
    expect(decode(fixtureBody('sdk.openai6.responses.json')).dropped).to.deep.equal([]);
    const stream = decode(fixtureBody('sdk.openai6.responses.stream.json'), true);
    expect(stream.messages).to.deep.equal([{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
    const tools = decode(fixtureBody('sdk.openai6.responses.tools.json'));
    expect(tools.tools).to.deep.equal([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false }]);
    expect(tools.messages.slice(1)).to.deep.equal([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_mock_mwrngjtm000g', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_mock_mwrngjtm000g', name: 'get_weather', isError: false, content: [{ type: 'text', text: 'rainy' }] }] },
    ]);
  });
});

interface Case { name: string; body: JsonObject; expect: Partial<IrRequest> }

const msg = (content: JsonObject[] | string, role = 'user'): JsonObject => ({ type: 'message', role, content });

const CASES: Case[] = [
  { name: 'instructions → system', body: { instructions: 'Be terse.', input: 'hi' }, expect: { system: [{ type: 'text', text: 'Be terse.' }] } },
  { name: 'system role message first → system', body: { input: [msg('sys', 'system'), msg('u')] }, expect: { system: [{ type: 'text', text: 'sys' }], messages: [{ role: 'user', parts: [{ type: 'text', text: 'u' }] }] } },
  {
    name: 'image by URL keeps detail; file_id image and file_id input_file dropped by name',
    body: { input: [msg([
      { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' },
      { type: 'input_image', file_id: 'file-123' },
      { type: 'input_file', file_id: 'file-456' },
    ])] },
    expect: {
      messages: [{ role: 'user', parts: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' }] }],
      dropped: ['input[0].content[1](input_image without image_url)', 'input[0].content[2](input_file without file_data)'],
    },
  },
  {
    name: 'assistant output_text and refusal → text',
    body: { input: [msg('q'), msg([{ type: 'output_text', text: 'a' }, { type: 'refusal', refusal: 'no' }], 'assistant')] },
    expect: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }, { role: 'assistant', parts: [{ type: 'text', text: 'a' }, { type: 'text', text: 'no' }] }] },
  },
  {
    name: 'parallel calls → one assistant message; consecutive outputs → one user message; parts output',
    body: { input: [
      msg('go'),
      { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
      { type: 'function_call', call_id: 'c2', name: 'b', arguments: '{"x":1}' },
      { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'one' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
      { type: 'function_call_output', call_id: 'c2', output: 'two' },
      { type: 'function_call_output', call_id: 'unknown', output: 'orphan' },
    ] },
    expect: { messages: [
      { role: 'user', parts: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'a', arguments: '{}' }, { type: 'tool_call', id: 'c2', name: 'b', arguments: '{"x":1}' }] },
      { role: 'user', parts: [
        { type: 'tool_result', callId: 'c1', name: 'a', isError: false, content: [{ type: 'text', text: 'one' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] },
        { type: 'tool_result', callId: 'c2', name: 'b', isError: false, content: [{ type: 'text', text: 'two' }] },
        { type: 'tool_result', callId: 'unknown', isError: false, content: [{ type: 'text', text: 'orphan' }] },
      ] },
    ] },
  },
  { name: 'tool_choice required', body: { input: 'x', tool_choice: 'required' }, expect: { toolChoice: 'required' } },
  { name: 'tool_choice none', body: { input: 'x', tool_choice: 'none' }, expect: { toolChoice: 'none' } },
  { name: 'tool_choice function', body: { input: 'x', tool_choice: { type: 'function', name: 'f' } }, expect: { toolChoice: { name: 'f' } } },
  { name: 'tool_choice custom', body: { input: 'x', tool_choice: { type: 'custom', name: 'apply_patch' } }, expect: { toolChoice: { name: 'apply_patch' } } },
  { name: 'tool_choice hosted → dropped', body: { input: 'x', tool_choice: { type: 'web_search' } }, expect: { dropped: ['tool_choice(web_search)'] } },
  {
    name: 'sampling and limits',
    body: { input: 'x', max_output_tokens: 500, temperature: 0.2, top_p: 0.9, parallel_tool_calls: false, user: 'u-1' },
    expect: { maxTokens: 500, temperature: 0.2, topP: 0.9, parallelToolCalls: false, user: 'u-1' },
  },
  { name: 'safety_identifier → user', body: { input: 'x', safety_identifier: 'hash-9' }, expect: { user: 'hash-9' } },
  { name: 'reasoning summary → includeThoughts', body: { input: 'x', reasoning: { effort: 'low', summary: 'detailed' } }, expect: { reasoning: { enabled: true, effort: 'low', includeThoughts: true } } },
  { name: 'reasoning effort none → disabled', body: { input: 'x', reasoning: { effort: 'none' } }, expect: { reasoning: { enabled: false, effort: 'none', includeThoughts: false } } },
  {
    name: 'text.format json_schema',
    body: { input: 'x', text: { format: { type: 'json_schema', name: 'city', schema: { type: 'object' }, strict: true } } },
    expect: { responseFormat: { type: 'json_schema', name: 'city', schema: { type: 'object' }, strict: true } },
  },
  { name: 'text.format json_object', body: { input: 'x', text: { format: { type: 'json_object' } } }, expect: { responseFormat: { type: 'json_object' } } },
  {
    name: 'state and metadata fields dropped by name',
    body: { input: 'x', store: true, metadata: { a: 'b' }, service_tier: 'flex', truncation: 'auto', background: false, top_logprobs: 2 },
    expect: { dropped: ['store', 'metadata', 'service_tier', 'truncation', 'background', 'top_logprobs'] },
  },
  {
    name: 'reasoning item without encrypted_content keeps its text',
    body: { input: [msg('q'), { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw thoughts' }] }] },
    expect: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }, { role: 'assistant', parts: [{ type: 'thinking', text: 'raw thoughts' }] }] },
  },
];

describe('responses codec: decodeRequest (mappings)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ir = decode({ model: 'm', ...c.body });
      for (const [key, value] of Object.entries(c.expect)) {
        if (key === 'dropped') expect(ir.dropped, key).to.have.members(value as string[]);
        else expect(ir[key as keyof IrRequest], key).to.deep.equal(value);
      }
    });
  }

  it('rejects previous_response_id: Sluice keeps no conversation state', () => {
    const err = catchError(() => decode({ input: 'x', previous_response_id: 'resp_1' }));
    expect(err.code).to.equal('SLUICE_E_INVALID_REQUEST');
    expect(err.status).to.equal(400);
    expect(err.param).to.equal('previous_response_id');
    expect(err.message).to.equal('previous_response_id needs a stateful upstream; send the full input instead');
  });

  const BAD: [string, JsonObject, string][] = [
    ['input of the wrong type', { input: 42 }, 'input'],
    ['missing input', {}, 'input'],
    ['function_call without call_id', { input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    // A call output's text is in `output` (a string or parts): the error names that field, not a `content` the item has none of.
    ['function_call_output whose output is an object', { input: [{ type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: { a: 1 } }] }, 'input[1].output'],
    ['custom_tool_call_output whose output is a number', { input: [{ type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: 'x' }, { type: 'custom_tool_call_output', call_id: 'c1', output: 5 }] }, 'input[1].output'],
    ['unknown role', { input: [{ type: 'message', role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['non-object item', { input: ['hi'] }, 'input[0]'],
    ['unsupported text format', { input: 'x', text: { format: { type: 'yaml' } } }, 'text.format.type'],
  ];
  for (const [name, body, param] of BAD) {
    it(`rejects ${name}`, () => {
      const err = catchError(() => decode(body));
      expect(err.code).to.equal('SLUICE_E_INVALID_REQUEST');
      expect(err.param).to.equal(param);
      expect(err.message).to.contain(param);
    });
  }
});

function catchError(fn: () => unknown): GatewayError {
  try { fn(); } catch (e) { if (e instanceof GatewayError) return e; throw e; }
  throw new Error('expected a GatewayError');
}
