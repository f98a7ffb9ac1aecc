// IR → Anthropic Messages request (Anthropic as the upstream).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { anthropicMessages, DEFAULT_MAX_TOKENS } from '../../../../plugins/translator/protocols/anthropic/index.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { geminiGenerate } from '../../../../plugins/translator/protocols/gemini/index.js';
import { fixtureBody, irRequest } from './helpers.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../test/fixtures/translator');
const encode = (over: Partial<IrRequest>): JsonObject => anthropicMessages.encodeRequest(irRequest(over));
const user = (text: string) => ({ role: 'user' as const, parts: [{ type: 'text' as const, text }] });

describe('anthropic codec: encodeRequest', () => {
  it('a minimal request gets the default max_tokens', () => {
    expect(encode({ messages: [user('hi')] })).to.deep.equal({
      model: 'claude-sonnet-4-5', max_tokens: DEFAULT_MAX_TOKENS, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    expect(DEFAULT_MAX_TOKENS).to.equal(32000);
  });

  it('hoists every system message, in order, after the top-level system, keeping cache hints', () => {
    const body = encode({
      system: [{ type: 'text', text: 'top', cache: { type: 'ephemeral' } }],
      messages: [user('a'), { role: 'system', parts: [{ type: 'text', text: 'mid' }] }, user('b'), { role: 'system', parts: [{ type: 'text', text: 'late' }] }],
    });
    expect(body['system']).to.deep.equal([
      { type: 'text', text: 'top', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'mid' }, { type: 'text', text: 'late' },
    ]);
    // the system message between them no longer separates the two user turns: they merge
    expect(body['messages']).to.deep.equal([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });

  it('merges consecutive tool-result turns and puts tool results first in the user turn', () => {
    const body = encode({ messages: [
      user('weather?'),
      { role: 'assistant', parts: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":' },
      ] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', content: [{ type: 'text', text: 'sunny' }], isError: false }] },
      { role: 'user', parts: [
        { type: 'text', text: 'and also' },
        { type: 'tool_result', callId: 'call_2', content: [], isError: true },
      ] },
    ] });
    expect(body['messages']).to.deep.equal([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      { role: 'assistant', content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { _raw: '{"city":' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
        { type: 'tool_result', tool_use_id: 'call_2', is_error: true },
        { type: 'text', text: 'and also' },
      ] },
    ]);
  });

  it('tool results with images keep block form; images as url and base64 blocks', () => {
    const body = encode({ messages: [{ role: 'user', parts: [
      { type: 'tool_result', callId: 't1', isError: false, content: [{ type: 'text', text: 'see' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/webp', data: 'UklG' }, detail: 'high' },
    ] }] });
    expect(body['messages']).to.deep.equal([{ role: 'user', content: [
      { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'see' }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklG' } },
    ] }]);
  });

  it('keeps signed thinking and redacted thinking, drops unsigned thinking and empty text', () => {
    const body = encode({ messages: [user('q'), { role: 'assistant', parts: [
      { type: 'thinking', text: 'from OpenAI, no signature' },
      { type: 'thinking', text: 'signed', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'ENC' },
      { type: 'text', text: '' },
      { type: 'text', text: 'A' },
    ] }, { role: 'assistant', parts: [{ type: 'thinking', text: 'only unsigned' }] }] });
    expect(body['messages']).to.deep.equal([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [
        { type: 'thinking', thinking: 'signed', signature: 'sig-1' }, { type: 'redacted_thinking', data: 'ENC' }, { type: 'text', text: 'A' },
      ] },
    ]);
  });

  it('tools: function, freeform and schemas without a type; cache and strict kept', () => {
    const body = encode({ messages: [user('hi')], tools: [
      { name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'number' } } }, strict: true, cache: { type: 'ephemeral' } },
      { name: 'apply_patch', description: 'patch', parameters: {}, freeform: { format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } } },
      { name: 'noargs', parameters: {} },
    ] });
    expect(body['tools']).to.deep.equal([
      { name: 'f', description: 'F', input_schema: { type: 'object', properties: { a: { type: 'number' } } }, strict: true, cache_control: { type: 'ephemeral' } },
      { name: 'apply_patch', description: 'patch', input_schema: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
      { name: 'noargs', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  const tools = [{ name: 'f', parameters: { type: 'object' } }];
  const choices: [Partial<IrRequest>, JsonObject | undefined][] = [
    [{ toolChoice: 'auto' }, { type: 'auto' }],
    [{ toolChoice: 'required' }, { type: 'any' }],
    [{ toolChoice: { name: 'f' } }, { type: 'tool', name: 'f' }],
    [{ toolChoice: 'none' }, { type: 'none' }],
    [{ parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [{ toolChoice: 'required', parallelToolCalls: false }, { type: 'any', disable_parallel_tool_use: true }],
    [{ parallelToolCalls: true }, undefined],
  ];
  for (const [over, expected] of choices) {
    it(`tool_choice for ${JSON.stringify(over)}`, () => {
      expect(encode({ messages: [user('hi')], tools, ...over })['tool_choice']).to.deep.equal(expected);
    });
  }
  it('no tool_choice without tools (Anthropic rejects it)', () => {
    expect(encode({ messages: [user('hi')], toolChoice: 'required' })).to.not.have.property('tool_choice');
  });

  const reasoning: [Partial<IrRequest>, JsonObject | undefined, number][] = [
    [{ reasoning: { enabled: true, budgetTokens: 3000 }, maxTokens: 10000 }, { type: 'enabled', budget_tokens: 3000 }, 10000],
    [{ reasoning: { enabled: true, effort: 'low' }, maxTokens: 10000 }, { type: 'enabled', budget_tokens: 2048 }, 10000],
    [{ reasoning: { enabled: true, effort: 'minimal' }, maxTokens: 10000 }, { type: 'enabled', budget_tokens: 2048 }, 10000],
    [{ reasoning: { enabled: true, effort: 'medium' }, maxTokens: 10000 }, { type: 'enabled', budget_tokens: 8192 }, 10000],
    [{ reasoning: { enabled: true, effort: 'high' }, maxTokens: 10000 }, { type: 'enabled', budget_tokens: 16384 }, 16384 + 4096],
    [{ reasoning: { enabled: true, effort: 'xhigh' } }, { type: 'enabled', budget_tokens: 32000 }, 32000 + 4096],
    [{ reasoning: { enabled: true, effort: 'max' }, maxTokens: 64000 }, { type: 'enabled', budget_tokens: 32000 }, 64000],
    [{ reasoning: { enabled: true }, maxTokens: 1000 }, { type: 'enabled', budget_tokens: 8192 }, 8192 + 4096],
    [{ reasoning: { enabled: true, budgetTokens: 100 } }, { type: 'enabled', budget_tokens: 1024 }, 32000],
    [{ reasoning: { enabled: true, effort: 'none' } }, undefined, 32000],
    [{ reasoning: { enabled: false, effort: 'high' } }, undefined, 32000],
  ];
  for (const [over, thinking, maxTokens] of reasoning) {
    it(`reasoning ${JSON.stringify(over)} → thinking ${JSON.stringify(thinking)}, max_tokens ${maxTokens}`, () => {
      const body = encode({ messages: [user('hi')], ...over });
      expect(body['thinking']).to.deep.equal(thinking);
      expect(body['max_tokens']).to.equal(maxTokens);
    });
  }

  it('with thinking on, temperature and top_k are dropped and top_p kept only from 0.95', () => {
    const on = { messages: [user('hi')], reasoning: { enabled: true, effort: 'low' as const }, temperature: 0.2, topK: 5 };
    expect(encode({ ...on, topP: 0.5 })).to.not.include.keys('temperature', 'top_k', 'top_p');
    expect(encode({ ...on, topP: 0.97 })['top_p']).to.equal(0.97);
    expect(encode({ model: 'claude-3-7-sonnet-20250219', messages: [user('hi')], temperature: 0.2, topP: 0.5, topK: 5 })).to.include({ temperature: 0.2, top_p: 0.5, top_k: 5 });
  });

  it('temperature is brought into Anthropic\'s range [0, 1] (OpenAI and Gemini allow up to 2)', () => {
    for (const [given, sent] of [[1.7, 1], [2, 1], [1, 1], [0.3, 0.3], [0, 0], [-0.5, 0]] as const) {
      expect(encode({ messages: [user('hi')], temperature: given })['temperature'], String(given)).to.equal(sent);
    }
    expect(encode({ messages: [user('hi')], topP: 1.5 })['top_p']).to.equal(1);
  });

  const samplers: [string, boolean][] = [
    ['claude-sonnet-4-5', false], ['claude-sonnet-4-5-20250929', false], ['claude-opus-4-1-20250805', false], ['claude-haiku-4-5', false],
    ['claude-opus-4-5', false], ['claude-sonnet-4-6', false],
    ['claude-3-5-haiku-latest', true], ['claude-3-7-sonnet-20250219', true], ['claude-3-opus-20240229', true],
    ['claude-sonnet-4-20250514', true], ['claude-opus-4-0', true], ['kimi-k2', true], ['glm-4.6', true],
  ];
  for (const [model, both] of samplers) {
    it(`${model}: temperature and top_p ${both ? 'both sent' : 'not together (temperature kept)'}`, () => {
      const body = encode({ model, messages: [user('hi')], temperature: 0.7, topP: 0.9 });
      expect(body['temperature']).to.equal(0.7);
      expect(body['top_p']).to.equal(both ? 0.9 : undefined);
      // top_p alone always goes.
      expect(encode({ model, messages: [user('hi')], topP: 0.9 })['top_p']).to.equal(0.9);
    });
  }

  // Opus 4.7 and later and the Claude 5 family take thinking only as {type: "adaptive"} with
  // output_config.effort, and refuse a budget or any non-default sampling value with a 400.
  const adaptiveOnly = ['claude-opus-5-5', 'claude-opus-5', 'claude-sonnet-5-5', 'claude-sonnet-5', 'claude-haiku-5-5', 'claude-fable-5-1', 'claude-opus-4-7', 'claude-mythos-preview'];
  for (const model of adaptiveOnly) {
    it(`${model}: thinking as adaptive with the effort asked, never a budget, and no sampling values`, () => {
      const sampled = { model, messages: [user('hi')], temperature: 1, topP: 0.95, topK: 64, maxTokens: 1000 };
      const body = encode({ ...sampled, reasoning: { enabled: true, effort: 'high' } });
      expect(body['thinking']).to.deep.equal({ type: 'adaptive' });
      expect(body['output_config']).to.deep.equal({ effort: 'high' });
      expect(body).to.not.include.keys('temperature', 'top_p', 'top_k');
      // The client's max_tokens stays: there is no budget to make room for.
      expect(body['max_tokens']).to.equal(1000);
      expect(encode(sampled)).to.not.include.keys('temperature', 'top_p', 'top_k', 'thinking', 'output_config');
      expect(encode({ ...sampled, reasoning: { enabled: true, effort: 'minimal' } })['output_config']).to.deep.equal({ effort: 'low' });
      expect(encode({ ...sampled, reasoning: { enabled: true, budgetTokens: 5000 } })).to.deep.include({ thinking: { type: 'adaptive' } });
    });
  }

  it('thinking turned off is {type: "disabled"}, or the lowest effort on a model that always thinks (Opus 5.5, Fable)', () => {
    const off = (model: string) => encode({ model, messages: [user('hi')], reasoning: { enabled: false } });
    for (const model of ['claude-opus-5-5', 'claude-fable-5-1']) {
      expect(off(model), model).to.not.have.property('thinking');
      expect(off(model)['output_config'], model).to.deep.equal({ effort: 'low' });
    }
    expect(off('claude-sonnet-5-5')['thinking']).to.deep.equal({ type: 'disabled' });
    expect(off('claude-opus-5')['thinking']).to.deep.equal({ type: 'disabled' });
    // The effort sits beside a JSON schema in the one output_config.
    const both = encode({ model: 'claude-opus-5-5', messages: [user('hi')], reasoning: { enabled: true, effort: 'medium' }, responseFormat: { type: 'json_schema', schema: { type: 'object' } } });
    expect(both['output_config']).to.deep.equal({ effort: 'medium', format: { type: 'json_schema', schema: { type: 'object', properties: {}, additionalProperties: false } } }); // fitted (output-schema.ts)
  });

  it('older Claude models keep the budget form and the sampling values they take', () => {
    for (const model of ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-20250514', 'claude-3-5-sonnet-20241022']) {
      expect(encode({ model, messages: [user('hi')], reasoning: { enabled: true, effort: 'low' } })['thinking'], model).to.deep.equal({ type: 'enabled', budget_tokens: 2048 });
      expect(encode({ model, messages: [user('hi')], temperature: 0.5 })['temperature'], model).to.equal(0.5);
    }
  });

  const outputLimits: [string, number][] = [
    ['claude-3-5-haiku-latest', 8192], ['claude-3-5-haiku-20241022', 8192], ['claude-3-5-sonnet-20241022', 8192],
    ['claude-3-haiku-20240307', 4096], ['claude-3-opus-latest', 4096],
    ['claude-opus-4-1', 32000], ['claude-opus-4-20250514', 32000], ['claude-3-7-sonnet-latest', 32000],
    ['claude-sonnet-4-5', 32000], ['claude-opus-4-5-20251101', 32000], ['claude-sonnet-4-6', 32000], ['some-compatible-model', 32000],
    ['claude-opus-5-5', 32000],
  ];
  for (const [model, maxTokens] of outputLimits) {
    it(`${model}: default max_tokens ${maxTokens}`, () => {
      expect(encode({ model, messages: [user('hi')] })['max_tokens']).to.equal(maxTokens);
    });
  }

  it('max_tokens and a thinking budget never go above what the model takes', () => {
    // A client value above the model's limit is brought down to it; below it, kept.
    expect(encode({ model: 'claude-3-5-haiku-latest', messages: [user('hi')], maxTokens: 20000 })['max_tokens']).to.equal(8192);
    expect(encode({ model: 'claude-3-5-haiku-latest', messages: [user('hi')], maxTokens: 500 })['max_tokens']).to.equal(500);
    // Every Claude 5 model answers at most 128K tokens.
    expect(encode({ model: 'claude-opus-5-5', messages: [user('hi')], maxTokens: 200_000 })['max_tokens']).to.equal(128_000);
    // Opus 4.1 takes 32000: an xhigh budget (32000) shrinks to leave room for the answer.
    const opus = encode({ model: 'claude-opus-4-1', messages: [user('hi')], reasoning: { enabled: true, effort: 'xhigh' } });
    expect(opus).to.include({ max_tokens: 32000 });
    expect(opus['thinking']).to.deep.equal({ type: 'enabled', budget_tokens: 32000 - 4096 });
    // Sonnet 3.7 takes 64000: the usual raise to budget + 4096 fits.
    const sonnet = encode({ model: 'claude-3-7-sonnet-latest', messages: [user('hi')], reasoning: { enabled: true, effort: 'xhigh' } });
    expect(sonnet).to.include({ max_tokens: 32000 + 4096 });
    expect(sonnet['thinking']).to.deep.equal({ type: 'enabled', budget_tokens: 32000 });
  });

  it('thinking is left off with a forced tool, or when the tool turn being continued carries no signed thinking', () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    const r = { reasoning: { enabled: true, effort: 'high' as const } };
    expect(encode({ messages: [user('hi')], tools, toolChoice: 'required', ...r })).to.not.have.property('thinking');
    const loop = (assistantFirst: IrRequest['messages'][number]['parts']) => encode({ tools, ...r, messages: [
      user('hi'),
      { role: 'assistant', parts: [...assistantFirst, { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'c1', content: [], isError: false }] },
    ] });
    expect(loop([{ type: 'thinking', text: 'unsigned' }])).to.not.have.property('thinking');
    expect(loop([])).to.not.have.property('thinking');
    expect(loop([{ type: 'thinking', text: 'signed', signature: 's' }])['thinking']).to.deep.equal({ type: 'enabled', budget_tokens: 16384 });
  });

  it('whitespace-only text and stop sequences are not sent, and a final assistant prefill loses its trailing whitespace (Anthropic refuses each)', () => {
    const body = encode({
      system: [{ type: 'text', text: '\n' }, { type: 'text', text: 'S' }],
      stop: ['\n', ' \t', 'END'],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: ' ' }, { type: 'text', text: 'q' }] },
        { role: 'assistant', parts: [{ type: 'text', text: '\n\n' }, { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', content: [{ type: 'text', text: 'r' }], isError: false }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'Sure, ' }] },
      ],
    });
    expect(body['system']).to.deep.equal([{ type: 'text', text: 'S' }]);
    expect(body['stop_sequences']).to.deep.equal(['END']);
    expect(body['messages']).to.deep.equal([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'r' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Sure,' }] },
    ]);
    expect(encode({ messages: [user('hi')], stop: ['\n'] })).to.not.have.property('stop_sequences');
  });

  it('stop sequences, json_schema output, user, stream', () => {
    const body = encode({
      messages: [user('hi')], stop: ['END'], stream: true, user: 'u-1',
      responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
    });
    expect(body).to.include({ stream: true });
    expect(body['stop_sequences']).to.deep.equal(['END']);
    expect(body['metadata']).to.deep.equal({ user_id: 'u-1' });
    // Anthropic's structured outputs take only closed objects (output-schema.ts)
    expect(body['output_config']).to.deep.equal({ format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false } } });
    expect(encode({ messages: [user('hi')], responseFormat: { type: 'json_object' } })).to.not.have.property('output_config');
  });

  it('a recorded Claude Code request survives decode → encode with its content intact', () => {
    const original = fixtureBody('claude-code.messages.tool-result-turn.json');
    const ir = anthropicMessages.decodeRequest(original, 'claude-opus-5-5', true);
    const body = anthropicMessages.encodeRequest(ir);
    const system = body['system'] as JsonObject[];
    expect(system).to.have.length(4); // three top-level blocks + the mid-conversation system message
    expect(system[3]!['text']).to.match(/^# Environment/);
    expect(system.map((b) => b['cache_control'] ?? null)).to.deep.equal([null, { type: 'ephemeral' }, { type: 'ephemeral' }, null]);
    const messages = body['messages'] as JsonObject[];
    expect(messages.map((m) => m['role'])).to.deep.equal(['user', 'assistant', 'user']);
    expect(messages[1]!['content']).to.deep.equal([
      { type: 'tool_use', id: 'toolu_mock_mwrngbfi0002', name: 'Bash', input: { command: 'echo hello-from-bash', description: 'Run command requested by mock' } },
    ]);
    expect(messages[2]!['content']).to.deep.equal([{ type: 'tool_result', tool_use_id: 'toolu_mock_mwrngbfi0002', content: 'hello-from-bash' }]);
    expect(body).to.include({ max_tokens: 128000, stream: true, model: 'claude-opus-5-5' });
    // adaptive + medium effort, continuing a tool turn that has no signed thinking: thinking stays off
    expect(body).to.not.have.property('thinking');
    expect((body['tools'] as JsonObject[]).map((t) => t['name'])).to.deep.equal(['Bash', 'Read', 'DeferredToolPlaceholder']);
  });

  it("Codex's and Gemini CLI's recorded requests, sent to claude-opus-5-5, ask for adaptive thinking at their effort (shown where asked: Gemini CLI's includeThoughts; not for a Responses request without a summary) and no sampling values", () => {
    const read = (dir: string, name: string) => JSON.parse(readFileSync(path.join(FIXTURES, dir, name), 'utf8')) as JsonObject;
    const recorded = (dir: string, name: string) => (read(dir, name)['body'] as JsonObject | undefined) ?? read(dir, name);
    // Codex: reasoning {effort: "medium"}; Gemini CLI: temperature 1, topP 0.95, topK 64, thinkingLevel HIGH.
    const codex = anthropicMessages.encodeRequest(openaiResponses.decodeRequest(recorded('responses', 'codex.responses.text-turn.json'), 'claude-opus-5-5', true));
    expect(codex).to.deep.include({ thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'medium' } });
    const gemini = anthropicMessages.encodeRequest(geminiGenerate.decodeRequest(recorded('gemini/requests', 'gemini-cli.text-turn.json'), 'claude-opus-5-5', true));
    expect(gemini).to.deep.include({ thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'high' } });
    for (const body of [codex, gemini]) expect(body).to.not.include.keys('temperature', 'top_p', 'top_k');
  });
});
