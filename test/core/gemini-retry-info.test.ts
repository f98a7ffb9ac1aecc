// The Gemini error envelope says when to retry the way Google's API does — a google.rpc.RetryInfo
// in error.details — whenever the gateway's error carries a retry-after, since Gemini CLI and
// @google/genai users read the body, not the header. An upstream Gemini body passes as it came.
import { expect } from 'chai';
import { errorBody, GatewayError } from '../../core/errors.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

describe('errors: RetryInfo in the Gemini envelope', () => {
  it('adds RetryInfo with retryDelay from retry-after (seconds, rounded up; an HTTP date too)', () => {
    const limited = new GatewayError('SLUICE_E_RATE_LIMITED', 'rate limit reached', { retryAfter: '12' });
    expect(errorBody(limited, 'gemini')).to.deep.equal({
      error: { code: 429, message: 'rate limit reached', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': RETRY_INFO, retryDelay: '12s' }] },
    });
    const fraction = new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', 'saturated', { status: 503, retryAfter: '1.5' });
    expect(errorBody(fraction, 'gemini')['error']).to.deep.include({ code: 503, status: 'UNAVAILABLE', details: [{ '@type': RETRY_INFO, retryDelay: '2s' }] });
    const date = new GatewayError('SLUICE_E_SHUTTING_DOWN', 'bye', { retryAfter: new Date(Date.now() + 30_500).toUTCString() });
    const delay = (errorBody(date, 'gemini')['error'] as { details: { retryDelay: string }[] }).details[0]!.retryDelay;
    expect(delay).to.match(/^(29|30|31)s$/);
  });

  it('adds it to a translated upstream error (an OpenAI 429 for a Gemini client)', () => {
    const upstream = new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'slow down', {
      status: 429, retryAfter: '7', upstream: { family: 'openai', body: { error: { message: 'slow down', type: 'rate_limit_error' } } },
    });
    expect(errorBody(upstream, 'gemini')['error']).to.deep.include({ code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': RETRY_INFO, retryDelay: '7s' }] });
  });

  it('keeps an upstream Gemini body as it came, and adds nothing without retry-after or for other families', () => {
    const own = { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': RETRY_INFO, retryDelay: '41s' }] } };
    const passed = new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'quota', { status: 429, retryAfter: '3', upstream: { family: 'gemini', body: own } });
    expect(errorBody(passed, 'gemini')).to.equal(own);
    const bare = { error: { code: 503, message: 'down', status: 'UNAVAILABLE' } };
    expect(errorBody(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'down', { status: 503, retryAfter: '3', upstream: { family: 'gemini', body: bare } }), 'gemini')).to.equal(bare);
    expect(errorBody(new GatewayError('SLUICE_E_INVALID_REQUEST', 'bad'), 'gemini')['error']).to.not.have.property('details');
    expect(errorBody(new GatewayError('SLUICE_E_RATE_LIMITED', 'x', { retryAfter: 'soon' }), 'gemini')['error']).to.not.have.property('details');
    const limited = new GatewayError('SLUICE_E_RATE_LIMITED', 'x', { retryAfter: '5' });
    expect(JSON.stringify(errorBody(limited, 'openai'))).to.not.contain('RetryInfo');
    expect(JSON.stringify(errorBody(limited, 'anthropic'))).to.not.contain('RetryInfo');
  });
});
