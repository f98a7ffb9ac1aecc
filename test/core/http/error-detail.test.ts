import { expect } from 'chai';
import { errorDetail } from '../../../core/http/error-detail.js';
import { GatewayError } from '../../../core/errors.js';

describe('errorDetail (the access log\'s account of a failure)', () => {
  it('takes the first code down the cause chain', () => {
    const socket = Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' });
    const wrapped = new Error('fetch failed', { cause: socket });
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', 'x', { cause: wrapped }))).to.deep.equal({ cause: 'ENOTFOUND' });
  });

  it('reads Gemini\'s status and ErrorInfo reason, also from a one-element array', () => {
    const body = { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } };
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 400, upstream: { family: 'gemini', body } })))
      .to.deep.equal({ upstreamType: 'INVALID_ARGUMENT', upstreamCode: 'API_KEY_INVALID' });
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 400, upstream: { family: 'gemini', body: [body] as never } })))
      .to.deep.equal({ upstreamType: 'INVALID_ARGUMENT', upstreamCode: 'API_KEY_INVALID' });
  });

  it('leaves out what is not an identifier: free text, numbers, overlong values; and a body that is text', () => {
    const body = { error: { type: 'the prompt was: secret stuff', code: 123, message: 'm' } };
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 400, upstream: { family: 'openai', body } }))).to.equal(undefined);
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 400, upstream: { family: 'openai', body: { error: { type: 'a'.repeat(65) } } } }))).to.equal(undefined);
    expect(errorDetail(new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 502, upstream: { family: 'openai', body: '<html>bad gateway</html>' } }))).to.equal(undefined);
    expect(errorDetail(new GatewayError('SLUICE_E_BAD_JSON', 'Unexpected token in "{secret"'))).to.equal(undefined);
  });
});
