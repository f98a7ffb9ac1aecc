// Each family's way of saying a prompt is over the context window, and what is not that.
import { expect } from 'chai';
import { anthropicOverflowMessage, contextOverflow } from '../../core/protocols/context-overflow.js';

describe('contextOverflow', () => {
  it('reads OpenAI, vLLM and llama.cpp servers, Anthropic and Gemini, with the counts they give', () => {
    expect(contextOverflow('openai', { error: { message: 'Your input exceeds the context window of this model. Please adjust your input and try again.', type: 'invalid_request_error', code: 'context_length_exceeded' } }, 400))
      .to.deep.equal({ actual: undefined, limit: undefined });
    expect(contextOverflow('openai', { object: 'error', error: { message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).", type: 'BadRequestError', code: 400 } }, 400))
      .to.deep.equal({ actual: 5000, limit: 4096 });
    expect(contextOverflow('openai', { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 9000, n_ctx: 8192 } }, 400))
      .to.deep.equal({ actual: 9000, limit: 8192 });
    expect(contextOverflow('anthropic', { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 212345 tokens > 200000 maximum' } }, 400))
      .to.deep.equal({ actual: 212345, limit: 200000 });
    expect(contextOverflow('gemini', { error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }, 400))
      .to.deep.equal({ actual: 1200000, limit: 1048576 });
  });

  it('is nothing for other errors, other statuses, or a body that is not JSON', () => {
    expect(contextOverflow('openai', { error: { message: 'max_tokens is too large', type: 'invalid_request_error', code: 'invalid_value' } }, 400)).to.equal(undefined);
    expect(contextOverflow('openai', { error: { message: 'x', code: 'context_length_exceeded' } }, 429)).to.equal(undefined);
    expect(contextOverflow('anthropic', { type: 'error', error: { type: 'invalid_request_error', message: 'messages: at least one message is required' } }, 400)).to.equal(undefined);
    expect(contextOverflow('gemini', 'prompt is too long', 400)).to.equal(undefined);
  });

  it('says it as Anthropic does, counts and all when known', () => {
    expect(anthropicOverflowMessage({ actual: 9000, limit: 8192 }, 'x')).to.equal('prompt is too long: 9000 tokens > 8192 maximum');
    expect(anthropicOverflowMessage({ actual: undefined, limit: undefined }, 'Your input exceeds the context window of this model.')).to.equal('prompt is too long: Your input exceeds the context window of this model.');
  });
});
