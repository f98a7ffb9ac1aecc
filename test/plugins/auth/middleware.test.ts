// The api_key authenticator's refusals: what a client gets and what the log says when the identity
// database is away (a PostgreSQL restart) and the key is not cached.
import { expect } from 'chai';
import { GatewayError, type ArrivingRequest } from '../../../core/index.js';
import { createLogger } from '../../../core/observability/logger.js';
import { AuthFailure, type KeyVerifier } from '../../../plugins/auth/key-verifier.js';
import { apiKeyAuthenticator } from '../../../plugins/auth/middleware.js';

const request = (i: number): ArrivingRequest => ({
  id: `req_${i}`, headers: { authorization: 'Bearer sk-sluice-AAAAAAAAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }, query: {},
  peerAddress: '127.0.0.1', clientAddress: '127.0.0.1', family: 'openai',
});

describe('auth: refusals while the identity database is unreachable', () => {
  it('answers each a retryable 503 but logs the first, not one error line per request', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l) });
    const verifier = { verify: () => Promise.reject(new AuthFailure('unavailable', 'AAAAAAAA')) } as unknown as KeyVerifier;
    const authenticate = apiKeyAuthenticator(verifier, logger);
    for (let i = 0; i < 200; i++) {
      const err = await Promise.resolve().then(() => authenticate(request(i))).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(GatewayError);
      expect((err as GatewayError).code).to.equal('SLUICE_E_AUTH_UNAVAILABLE');
    }
    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).startsWith('cannot authenticate'));
    expect(errors, 'one line for the outage so far').to.have.length(1);
    expect(errors[0]).to.include({ level: 'error', request_id: 'req_0', key_id: 'AAAAAAAA', refused: 1 });
  });
});
