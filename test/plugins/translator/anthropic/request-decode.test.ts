// Anthropic Messages request → IR: recorded client requests and the field-by-field table.
import { expect } from 'chai';
import type { JsonObject } from '../../../../core/index.js';
import { GatewayError } from '../../../../core/index.js';
import { anthropicMessages } from '../../../../plugins/translator/protocols/anthropic/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { fixtureBody } from './helpers.js';

const decode = (body: JsonObject, stream = false): IrRequest => anthropicMessages.decodeRequest(body, 'upstream-model', stream);
const base = { model: 'claude-sonnet-4-5', max_tokens: 256 };

describe('anthropic codec: decodeRequest', () => {
  describe('recorded Claude Code requests', () => {
    it('tool-result turn: system blocks with cache, a mid-conversation system message, tool use and result', () => {
      const ir = decode(fixtureBody('claude-code.messages.tool-result-turn.json'), true);
      expect(ir.model).to.equal('upstream-model');
      expect(ir.stream).to.equal(true);
      expect(ir.maxTokens).to.equal(128000);
      expect(ir.system.map((s) => s.cache)).to.deep.equal([undefined, { type: 'ephemeral' }, { type: 'ephemeral' }]);
      expect(ir.system[1]!.text).to.equal("You are a Claude agent, built on Anthropic's Claude Agent SDK.");
      expect(ir.messages.map((m) => m.role)).to.deep.equal(['user', 'system', 'assistant', 'user']);
      expect(ir.messages[1]!.parts).to.have.length(1);
      expect(ir.messages[1]!.parts[0]).to.include({ type: 'text' });
      expect(ir.messages[2]!.parts).to.deep.equal([{
        type: 'tool_call', id: 'toolu_mock_mwrngbfi0002', name: 'Bash',
        arguments: '{"command":"echo hello-from-bash","description":"Run command requested by mock"}',
      }]);
      expect(ir.messages[3]!.parts).to.deep.equal([{
        type: 'tool_result', callId: 'toolu_mock_mwrngbfi0002', name: 'Bash', content: [{ type: 'text', text: 'hello-from-bash' }], isError: false,
      }]);
      expect(ir.reasoning).to.deep.equal({ enabled: true, includeThoughts: false, effort: 'medium' });
      expect(ir.user).to.equal('{"device_id":"346143815fbfb9ffd095ee2a1cee807a445d6b54ca3c363a56778787759e66aa","account_uuid":"","session_id":"0bdc681a-a1c6-4c8a-bb84-5e8443fbe350"}');
      expect(ir.tools.map((t) => t.name)).to.deep.equal(['Bash', 'Read', 'DeferredToolPlaceholder']);
      expect(ir.tools[0]!.parameters['type']).to.equal('object');
      expect(ir.dropped).to.have.members(['context_management', 'messages[3].content[0].cache_control', 'tools[2].defer_loading']);
    });

    it('tool-use turn: the system message given as cached text blocks keeps its cache hint', () => {
      const ir = decode(fixtureBody('claude-code.messages.tool-use-turn.json'), true);
      expect(ir.messages.map((m) => m.role)).to.deep.equal(['user', 'system']);
      const part = ir.messages[1]!.parts[0];
      expect(part?.type === 'text' && part.cache).to.deep.equal({ type: 'ephemeral' });
      expect(ir.messages[0]!.parts.map((p) => p.type)).to.deep.equal(['text', 'text', 'text']);
    });

    it('SDK tools request: tools, tool use and a string tool result', () => {
      const ir = decode(fixtureBody('sdk.anthropic1.messages.tools.json'));
      expect(ir).to.deep.equal({
        model: 'upstream-model', stream: false, maxTokens: 100, stop: [], dropped: [], system: [],
        tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'weather? [[mock:tool=get_weather {"city":"Paris"}]]' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_mock_mwrngk7g0017', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'toolu_mock_mwrngk7g0017', name: 'get_weather', content: [{ type: 'text', text: 'foggy' }], isError: false }] },
        ],
      });
    });
  });

  const cases: { name: string; body: JsonObject; check: (ir: IrRequest) => void }[] = [
    {
      name: 'system as a plain string',
      body: { ...base, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] },
      check: (ir) => expect(ir.system).to.deep.equal([{ type: 'text', text: 'Be brief.' }]),
    },
    {
      name: 'images: base64 and url sources; file sources dropped',
      body: { ...base, messages: [{ role: 'user', content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
        { type: 'image', source: { type: 'file', file_id: 'file_011' } },
      ] }] },
      check: (ir) => {
        expect(ir.messages[0]!.parts).to.deep.equal([
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
        ]);
        expect(ir.dropped).to.deep.equal(['messages[0].content[2].source(file)']);
      },
    },
    {
      name: 'tool_result with text and image blocks and is_error',
      body: { ...base, messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'shot', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: [
          { type: 'text', text: 'failed' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
        ] }] },
      ] },
      check: (ir) => expect(ir.messages[1]!.parts).to.deep.equal([{
        type: 'tool_result', callId: 'toolu_1', name: 'shot', isError: true,
        content: [{ type: 'text', text: 'failed' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } }],
      }]),
    },
    {
      name: 'thinking with signature and redacted thinking',
      body: { ...base, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [
        { type: 'thinking', thinking: 'Let me think', signature: 'sig-abc' },
        { type: 'redacted_thinking', data: 'ENCRYPTED' },
        { type: 'text', text: 'Answer' },
      ] }] },
      check: (ir) => expect(ir.messages[1]!.parts).to.deep.equal([
        { type: 'thinking', text: 'Let me think', signature: 'sig-abc' },
        { type: 'redacted_thinking', data: 'ENCRYPTED' },
        { type: 'text', text: 'Answer' },
      ]),
    },
    {
      name: 'search_result and server tool blocks are dropped by name; a PDF from the Files API too',
      body: { ...base, messages: [{ role: 'user', content: [
        { type: 'document', source: { type: 'file', file_id: 'file_011' } },
        { type: 'search_result', source: 'https://x', title: 't', content: [] },
        { type: 'text', text: 'keep' },
      ] }, { role: 'assistant', content: [
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
      ] }] },
      check: (ir) => {
        expect(ir.messages[0]!.parts).to.deep.equal([{ type: 'text', text: 'keep' }]);
        expect(ir.messages[1]!.parts).to.deep.equal([]);
        expect(ir.dropped).to.deep.equal([
          'messages[0].content[0].source(file)', 'messages[0].content[1](search_result)',
          'messages[1].content[0](server_tool_use)', 'messages[1].content[1](web_search_tool_result)',
        ]);
      },
    },
    {
      // Other providers have no document block: without its text the model would never see it.
      name: 'a text document becomes text (title and context first), also inside a tool result; citations are dropped',
      body: { ...base, messages: [{ role: 'user', content: [
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The sky is green.' }, title: 'Facts', context: 'from the wiki', citations: { enabled: true } },
        { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] } },
        { type: 'text', text: 'keep' },
      ] }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'document', source: { type: 'content', content: 'file text' } }] }] }] },
      check: (ir) => {
        expect(ir.messages[0]!.parts).to.deep.equal([
          { type: 'text', text: 'Document: Facts\nfrom the wiki\n\nThe sky is green.' },
          { type: 'text', text: 'one\n\ntwo' },
          { type: 'text', text: 'keep' },
        ]);
        expect(ir.messages[2]!.parts).to.deep.equal([{ type: 'tool_result', callId: 't1', name: 'Read', content: [{ type: 'text', text: 'file text' }], isError: false }]);
        expect(ir.dropped).to.deep.equal(['messages[0].content[0].citations']);
      },
    },
    {
      name: 'tools: cache_control and strict kept, server tools and defer_loading dropped',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], tools: [
        { name: 'a', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' }, strict: true },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
        { name: 'b', description: 'B', input_schema: { type: 'object', properties: {} }, defer_loading: true },
      ] },
      check: (ir) => {
        expect(ir.tools).to.deep.equal([
          { name: 'a', parameters: { type: 'object' }, strict: true, cache: { type: 'ephemeral' } },
          { name: 'b', description: 'B', parameters: { type: 'object', properties: {} } },
        ]);
        expect(ir.dropped).to.deep.equal(['tools[1](web_search_20250305)', 'tools[2].defer_loading']);
      },
    },
    ...([
      [{ type: 'auto' }, 'auto', undefined],
      [{ type: 'any', disable_parallel_tool_use: true }, 'required', false],
      [{ type: 'tool', name: 'get_weather' }, { name: 'get_weather' }, undefined],
      [{ type: 'none' }, 'none', undefined],
      [{ type: 'auto', disable_parallel_tool_use: false }, 'auto', true],
    ] as const).map(([choice, toolChoice, parallel]) => ({
      name: `tool_choice ${JSON.stringify(choice)}`,
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], tool_choice: choice } as JsonObject,
      check: (ir: IrRequest) => { expect(ir.toolChoice).to.deep.equal(toolChoice); expect(ir.parallelToolCalls).to.equal(parallel); },
    })),
    {
      name: 'sampling, stop sequences and max_tokens',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], temperature: 0.3, top_p: 0.9, top_k: 40, stop_sequences: ['END', '###'] },
      check: (ir) => {
        expect([ir.maxTokens, ir.temperature, ir.topP, ir.topK]).to.deep.equal([256, 0.3, 0.9, 40]);
        expect(ir.stop).to.deep.equal(['END', '###']);
      },
    },
    {
      name: 'thinking enabled with a budget',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 5000 } },
      check: (ir) => expect(ir.reasoning).to.deep.equal({ enabled: true, budgetTokens: 5000 }),
    },
    {
      name: 'thinking disabled',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'disabled' } },
      check: (ir) => expect(ir.reasoning).to.deep.equal({ enabled: false }),
    },
    {
      name: 'adaptive thinking with summarized display and xhigh effort',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'xhigh' } },
      check: (ir) => expect(ir.reasoning).to.deep.equal({ enabled: true, includeThoughts: true, effort: 'xhigh' }),
    },
    {
      name: 'structured output: output_config.format',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
      check: (ir) => { expect(ir.responseFormat).to.deep.equal({ type: 'json_schema', schema: { type: 'object' } }); expect(ir.reasoning).to.equal(undefined); },
    },
    {
      name: 'fields with no IR equivalent are dropped by name',
      body: { ...base, messages: [{ role: 'user', content: 'hi' }], container: 'c1', mcp_servers: [{ type: 'url', url: 'https://mcp.example', name: 'm' }], service_tier: 'auto', context_management: {}, speed: 'fast', metadata: { user_id: 'u1', tag: 'x' } },
      check: (ir) => {
        expect(ir.user).to.equal('u1');
        expect(ir.dropped).to.deep.equal(['container', 'mcp_servers', 'service_tier', 'context_management', 'speed', 'metadata.tag']);
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.check(decode(c.body)));

  // Per-message effort (Anthropic's "Per-message effort"): a `system` message's output_config.effort
  // applies from the reply to the user turn it directly follows, or else from the next user turn
  // with new input (a turn of tool results only is none), until a later one changes it.
  describe('a mid-conversation system message carrying output_config.effort', () => {
    const effortOnly = (effort: string): JsonObject => ({ role: 'system', content: [], output_config: { effort } });
    const top = { ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'high' } };
    const toolTurn = [
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ];

    it('right after a user turn with new input: the reply to it, and what follows, take the new effort', () => {
      const ir = decode({ ...top, messages: [{ role: 'user', content: 'hi' }, effortOnly('low'), ...toolTurn] });
      expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'low' });
      expect(ir.messages.map((m) => m.role), 'an effort-only message carries nothing else').to.deep.equal(['user', 'assistant', 'user']);
      expect(ir.dropped).to.deep.equal([]);
    });

    it('between an assistant turn and the next user turn: from that user turn on', () => {
      const ir = decode({ ...top, messages: [{ role: 'user', content: 'plan' }, { role: 'assistant', content: 'done' }, effortOnly('low'), { role: 'user', content: 'summarise' }] });
      expect(ir.reasoning?.effort).to.equal('low');
    });

    it('after a turn of tool results only: not yet (no new input since), the request keeps its effort', () => {
      const ir = decode({ ...top, messages: [{ role: 'user', content: 'hi' }, ...toolTurn, effortOnly('low')] });
      expect(ir.reasoning?.effort).to.equal('high');
    });

    it('the last one in force wins, with text beside it kept as a system message; an effort alone asks for reasoning as a top-level one does', () => {
      const ir = decode({ ...base, messages: [{ role: 'user', content: 'a' }, effortOnly('low'), { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'system', content: 'be brief', output_config: { effort: 'max' } }] });
      expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'max' });
      expect(ir.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'user', 'system']);
    });

    it('keys beside effort are still named in the drops line', () => {
      const ir = decode({ ...top, messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: [], output_config: { effort: 'low', format: { type: 'json_schema', schema: {} } } }] });
      expect(ir.dropped).to.deep.equal(['messages[1].output_config.format']);
    });
  });

  it('rejects a body without messages and a message with an unknown role', () => {
    expect(() => decode({ ...base })).to.throw(GatewayError).with.property('code', 'SLUICE_E_INVALID_REQUEST');
    expect(() => decode({ ...base, messages: [{ role: 'tool', content: 'x' }] })).to.throw(GatewayError).with.property('param', 'messages.0.role');
  });
});
