// The service tier that served a request and its per-request fees (web searches, web fetches), read
// where dispatch reads the upstream's usage: each provider's JSON answer and the stream event that
// carries its usage. The translator's token usage (usageFrom) stays as it was.
import { expect } from 'chai';
import { mergeUsage, usageFrom as tokenUsageFrom } from '../../core/protocols/usage.js';
import { billedUsageFrom as usageFrom } from '../../core/protocols/usage-fees.js';
import type { JsonObject } from '../../core/protocols/types.js';

const chat = { family: 'openai', operation: 'chat' } as const;
const responses = { family: 'openai', operation: 'responses' } as const;
const messages = { family: 'anthropic', operation: 'messages' } as const;
const generate = { family: 'gemini', operation: 'generate' } as const;

describe('usage: service tier and per-request fees', () => {
  it('OpenAI Chat: the answer\'s service_tier, JSON and the stream\'s usage chunk', () => {
    expect(usageFrom(chat, { service_tier: 'flex', usage: { prompt_tokens: 10, completion_tokens: 2 } })!.serviceTier).to.equal('flex');
    expect(usageFrom(chat, { object: 'chat.completion.chunk', service_tier: 'priority', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } })!.serviceTier).to.equal('priority');
    // No tier named: none recorded (and no key at all, so usage objects stay as they were).
    expect(usageFrom(chat, { usage: { prompt_tokens: 10, completion_tokens: 2 } })).to.not.have.property('serviceTier');
    expect(tokenUsageFrom(chat, { service_tier: 'flex', usage: { prompt_tokens: 10, completion_tokens: 2 } })).to.not.have.property('serviceTier');
  });

  it('OpenAI Responses: service_tier and web_search_call items, JSON and the terminal event', () => {
    const response: JsonObject = {
      service_tier: 'default', usage: { input_tokens: 50, output_tokens: 5 },
      output: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }, { type: 'web_search_call', id: 'ws_2', status: 'completed' }, { type: 'message', content: [] }],
    };
    const json = usageFrom(responses, response)!;
    expect([json.serviceTier, json.webSearchCalls]).to.deep.equal(['default', 2]);
    const done = usageFrom(responses, { type: 'response.completed', response })!;
    expect([done.serviceTier, done.webSearchCalls]).to.deep.equal(['default', 2]);
  });

  it('Anthropic: usage.service_tier and server_tool_use counts, merged over a stream', () => {
    const json = usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, service_tier: 'priority', server_tool_use: { web_search_requests: 3, web_fetch_requests: 1 } } })!;
    expect([json.serviceTier, json.webSearchCalls, json.webFetchCalls]).to.deep.equal(['priority', 3, 1]);
    const start = usageFrom(messages, { type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1, service_tier: 'standard' } } })!;
    const delta = usageFrom(messages, { type: 'message_delta', usage: { output_tokens: 20, server_tool_use: { web_search_requests: 2 } } })!;
    const merged = mergeUsage(start, delta);
    expect([merged.serviceTier, merged.webSearchCalls, merged.webFetchCalls]).to.deep.equal(['standard', 2, undefined]);
  });

  it('Anthropic fast mode: usage.speed "fast" is priced as the tier fast, JSON and over a stream', () => {
    expect(usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, service_tier: 'standard', speed: 'fast' } })!.serviceTier).to.equal('fast');
    expect(usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, speed: 'fast' } })!.serviceTier).to.equal('fast');
    expect(usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, service_tier: 'standard', speed: 'standard' } })!.serviceTier).to.equal('standard');
    // Fast on another tier is a tier of its own (no shipped price: null, never the standard one).
    expect(usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, service_tier: 'priority', speed: 'fast' } })!.serviceTier).to.equal('priority+fast');
    const start = usageFrom(messages, { type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1, service_tier: 'standard', speed: 'fast' } } })!;
    const delta = usageFrom(messages, { type: 'message_delta', usage: { output_tokens: 20 } })!;
    expect(mergeUsage(start, delta).serviceTier).to.equal('fast');
  });

  it('Anthropic US-only inference: usage.inference_geo "us" joins the tier served (us, fast+us, batch+us); global changes nothing', () => {
    const tierOf = (extra: JsonObject) => usageFrom(messages, { usage: { input_tokens: 10, output_tokens: 20, service_tier: 'standard', ...extra } })!.serviceTier;
    expect(tierOf({ inference_geo: 'us' })).to.equal('us');
    expect(tierOf({ inference_geo: 'global' })).to.equal('standard');
    // Answers also say not_available (no region for that model or request): the served tier, priced as usual.
    expect(tierOf({ inference_geo: 'not_available' })).to.equal('standard');
    expect(tierOf({ inference_geo: 'us', speed: 'fast' })).to.equal('fast+us');
    expect(tierOf({ inference_geo: 'us', service_tier: 'batch' })).to.equal('batch+us');
    // Anthropic's documented answer: no service_tier beside it.
    expect(usageFrom(messages, { usage: { input_tokens: 25, output_tokens: 150, inference_geo: 'us' } })!.serviceTier).to.equal('us');
  });

  it('Gemini: grounding with Google Search counts its search queries', () => {
    const body = {
      candidates: [{ content: { parts: [{ text: 'x' }] }, groundingMetadata: { webSearchQueries: ['a', 'b'], groundingChunks: [] } }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5 },
    };
    expect(usageFrom(generate, body)!.webSearchCalls).to.equal(2);
    expect(usageFrom(generate, { candidates: [{}], usageMetadata: { promptTokenCount: 1 } })).to.not.have.property('webSearchCalls');
  });
});
