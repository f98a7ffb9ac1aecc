// Chat responses → IR and IR → Chat responses, judged by the openai SDK, and provider state
// (thinking signatures, Gemini call signatures) surviving into the next turn.
import { expect } from 'chai';
import { GatewayError, type JsonObject } from '../../../../core/index.js';
import type { IrResponse, IrStopReason } from '../../../../plugins/translator/ir.js';
import { openaiChat } from '../../../../plugins/translator/protocols/chat/index.js';
import { context, sdkFromJson, usage } from './helpers.js';

/** A gpt-4.1 answer with two tool calls and cached tokens, as the API sends it. */
const toolAnswer: JsonObject = {
  id: 'chatcmpl-C2xToolAnswer', object: 'chat.completion', created: 1752700000, model: 'gpt-4.1-2025-04-14',
  choices: [{
    index: 0, logprobs: null, finish_reason: 'tool_calls',
    message: {
      role: 'assistant', content: null, refusal: null, annotations: [],
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
      ],
    },
  }],
  usage: {
    prompt_tokens: 2048, completion_tokens: 40, total_tokens: 2088,
    prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default', system_fingerprint: 'fp_b3f1157249',
};

describe('chat codec: decodeResponse', () => {
  it('decodes tool calls, finish reason and usage with cached tokens split out', () => {
    expect(openaiChat.decodeResponse(toolAnswer)).to.deep.equal({
      id: 'chatcmpl-C2xToolAnswer', model: 'gpt-4.1-2025-04-14',
      parts: [
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_2', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
      ],
      stopReason: 'tool_use',
      usage: usage({ inputTokens: 128, outputTokens: 40, cacheReadTokens: 1920 }),
    });
  });

  it('puts reasoning first (reasoning_content or reasoning) and counts reasoning tokens', () => {
    for (const field of ['reasoning_content', 'reasoning']) {
      const ir = openaiChat.decodeResponse({
        id: 'x', model: 'deepseek-reasoner', choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'Hi', [field]: 'Think.' } }],
        usage: { prompt_tokens: 10, completion_tokens: 30, total_tokens: 40, completion_tokens_details: { reasoning_tokens: 25 } },
      });
      expect(ir.parts, field).to.deep.equal([{ type: 'thinking', text: 'Think.' }, { type: 'text', text: 'Hi' }]);
      expect(ir.stopReason).to.equal('max_tokens');
      expect(ir.usage).to.deep.equal(usage({ inputTokens: 10, outputTokens: 30, reasoningTokens: 25 }));
    }
  });

  it('keeps a refusal as text and maps content_filter', () => {
    const ir = openaiChat.decodeResponse({
      id: 'x', model: 'm', choices: [{ index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null, refusal: "I can't help with that." } }],
    });
    expect(ir.parts).to.deep.equal([{ type: 'text', text: "I can't help with that." }]);
    expect(ir.stopReason).to.equal('content_filter');
    expect(ir.usage).to.deep.equal(usage({}));
  });

  it('treats tool calls under finish_reason "stop" (Gemini compat) as tool_use', () => {
    const ir = openaiChat.decodeResponse({
      id: 'x', model: 'gemini-2.5-flash', choices: [{
        index: 0, finish_reason: 'stop',
        message: { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'Z3M=' } } }] },
      }],
    });
    expect(ir.stopReason).to.equal('tool_use');
    expect(ir.parts).to.deep.equal([{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}', signature: 'Z3M=' }]);
  });

  it('throws the upstream error an OpenAI-compatible server put in a 200 body', () => {
    let err: unknown;
    try { openaiChat.decodeResponse({ error: { message: 'Provider returned error', code: 503 } }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(GatewayError);
    expect((err as GatewayError).status).to.equal(503);
    expect((err as GatewayError).message).to.equal('Provider returned error');
    expect((err as GatewayError).upstream).to.deep.equal({ family: 'openai', body: { error: { message: 'Provider returned error', code: 503 } } });
  });
});

describe('chat codec: encodeResponse', () => {
  const ctx = context({ clientModel: 'claude-sonnet-4-5', requestId: 'req_01HZX', created: 1752700123 });

  it('encodes text with reasoning and full usage (cache writes count as prompt tokens)', () => {
    const ir: IrResponse = {
      id: 'msg_1', model: 'claude-sonnet-4-5-20250929', stopReason: 'end_turn',
      parts: [{ type: 'thinking', text: 'Quick.' }, { type: 'text', text: 'Hello' }, { type: 'text', text: ' world' }],
      usage: usage({ inputTokens: 12, outputTokens: 7, cacheReadTokens: 100, cacheWriteTokens: 50, reasoningTokens: 3 }),
    };
    expect(openaiChat.encodeResponse(ir, ctx)).to.deep.equal({
      id: 'chatcmpl_req01HZX', object: 'chat.completion', created: 1752700123, model: 'claude-sonnet-4-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world', reasoning_content: 'Quick.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 162, completion_tokens: 7, total_tokens: 169,
        prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 3 },
      },
    });
  });

  it('encodes tool calls with null content and round-trips through decodeResponse', () => {
    const ir = openaiChat.decodeResponse(toolAnswer);
    const out = openaiChat.encodeResponse(ir, ctx);
    expect((out['choices'] as JsonObject[])[0]).to.deep.equal({
      index: 0, logprobs: null, finish_reason: 'tool_calls',
      message: {
        role: 'assistant', content: null, refusal: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
        ],
      },
    });
    const back = openaiChat.decodeResponse(out);
    expect(back.parts).to.deep.equal(ir.parts);
    expect(back.usage).to.deep.equal(ir.usage);
    expect(back.stopReason).to.equal(ir.stopReason);
  });

  const stopCases: [IrStopReason, string][] = [
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['pause', 'stop'], ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'], ['content_filter', 'content_filter'], ['refusal', 'content_filter'],
  ];
  for (const [reason, finish] of stopCases) {
    it(`maps stop reason ${reason} to finish_reason ${finish}`, () => {
      const out = openaiChat.encodeResponse({ id: 'x', model: 'm', parts: [{ type: 'text', text: 't' }], stopReason: reason, usage: usage({}) }, ctx);
      expect((out['choices'] as JsonObject[])[0]!['finish_reason']).to.equal(finish);
    });
  }

  it('is accepted by the openai SDK as a ChatCompletion', async () => {
    const ir: IrResponse = {
      id: 'm', model: 'm', stopReason: 'tool_use', usage: usage({ inputTokens: 5, outputTokens: 6 }),
      parts: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_call', id: 'toolu_9', name: 'lookup', arguments: '{"q":"x"}' }],
    };
    const body = openaiChat.encodeResponse(ir, ctx);
    const got = await sdkFromJson(body);
    expect(got.choices[0]!.message.content).to.equal('Let me check.');
    expect(got.choices[0]!.message.tool_calls).to.deep.equal([{ id: 'toolu_9', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }]);
    expect(got.usage).to.deep.equal({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
  });
});

describe('chat codec: provider state across turns', () => {
  it('keeps an Anthropic thinking signature from one response into the next request', () => {
    // Claude through OpenRouter: the signature arrives in reasoning_details.
    const upstream = openaiChat.decodeResponse({
      id: 'gen-1', model: 'anthropic/claude-sonnet-4', choices: [{
        index: 0, finish_reason: 'tool_calls', message: {
          role: 'assistant', content: '', reasoning: 'Need the weather.',
          reasoning_details: [
            { type: 'reasoning.text', text: 'Need the weather.', signature: 'EqoBCkgsig', format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.encrypted', data: 'RedactedBlob', format: 'anthropic-claude-v1', index: 1 },
          ],
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        },
      }],
    });
    const thinking = [
      { type: 'thinking', text: 'Need the weather.', signature: 'EqoBCkgsig' },
      { type: 'redacted_thinking', data: 'RedactedBlob' },
    ];
    expect(upstream.parts).to.deep.equal([...thinking, { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{}' }]);

    // The Chat client receives the message and sends it back verbatim with the tool result.
    const reply = openaiChat.encodeResponse(upstream, context());
    const assistant = ((reply['choices'] as JsonObject[])[0]!['message']) as JsonObject;
    const next = openaiChat.decodeRequest({
      model: 'x', messages: [{ role: 'user', content: 'weather?' }, assistant, { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' }],
    }, 'claude-sonnet-4-5', false);
    expect(next.messages[1]!.parts).to.deep.equal([...thinking, { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{}' }]);

    // And a Chat upstream (OpenRouter) gets it back in the same convention.
    const again = openaiChat.encodeRequest(next);
    expect((again['messages'] as JsonObject[])[1]!['reasoning_details']).to.deep.equal([
      { type: 'reasoning.text', text: 'Need the weather.', signature: 'EqoBCkgsig', index: 0 },
      { type: 'reasoning.encrypted', data: 'RedactedBlob', index: 1 },
    ]);
  });

  it('keeps a Gemini thoughtSignature on a tool call into the next request', () => {
    const ir: IrResponse = {
      id: 'g', model: 'gemini-3-pro', stopReason: 'tool_use', usage: usage({}),
      parts: [{ type: 'tool_call', id: 'call_g', name: 'f', arguments: '{"a":1}', signature: 'CiQBVKhc' }],
    };
    const assistant = ((openaiChat.encodeResponse(ir, context())['choices'] as JsonObject[])[0]!['message']) as JsonObject;
    const next = openaiChat.decodeRequest({ model: 'x', messages: [assistant] }, 'gemini-3-pro', false);
    expect(next.messages[0]!.parts).to.deep.equal(ir.parts);
  });

  it('takes a detail that holds text and signature as whole, whatever reasoning_content says', () => {
    const next = openaiChat.decodeRequest({
      model: 'x', messages: [{ role: 'assistant', content: '4', reasoning_content: 'plus two.', reasoning_details: [{ type: 'reasoning.text', text: 'Two plus two.', signature: 'sig', index: 0 }] }],
    }, 'm', false);
    expect(next.messages[0]!.parts).to.deep.equal([{ type: 'thinking', text: 'Two plus two.', signature: 'sig' }, { type: 'text', text: '4' }]);
  });

  it('does not pair a signature that came without its text with reasoning_content in a request: the text may be a piece', () => {
    // What the openai SDK's stream helper rebuilt from an older stream: the last reasoning piece only.
    const next = openaiChat.decodeRequest({
      model: 'x', messages: [{ role: 'assistant', content: '4', reasoning_content: 'two.', reasoning_details: [{ type: 'reasoning.text', signature: 'sig', index: 0 }] }],
    }, 'm', false);
    expect(next.messages[0]!.parts).to.deep.equal([{ type: 'thinking', text: 'two.' }, { type: 'text', text: '4' }]);
  });

  it('pairs them in an upstream answer, which is whole', () => {
    const ir = openaiChat.decodeResponse({
      id: 'x', model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: {
        role: 'assistant', content: '4', reasoning_content: 'Two plus two.', reasoning_details: [{ type: 'reasoning.text', signature: 'sig', index: 0 }],
      } }],
    });
    expect(ir.parts).to.deep.equal([{ type: 'thinking', text: 'Two plus two.', signature: 'sig' }, { type: 'text', text: '4' }]);
  });
});
