// A session limit belongs to the session of one principal: session ids come from clients (Claude
// Code's, Codex's, or any `x-session-id`), so another user sending the same id must neither spend
// nor exhaust someone else's session — while the same user's requests in that session still share it.
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';

const config = `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
providers:
  local: { type: loopback }
chain:
  - use: auth
    with: { mode: proxy_header, trusted_proxies: ["127.0.0.1/32"], auto_create: true }
  - use: router
    with: { default: local }
  - use: ratelimit
    with: { rules: [{ scope: session, rpm: 2 }] }
`;

describe('ratelimit: scope session is keyed within its principal', function () {
  this.timeout(30_000);
  let gw: TestGateway | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; });

  const chat = (user: string, session: string) => fetch(`${gw!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-email': user, 'x-session-id': session },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });

  it('another user sending the same session id has a session of their own', async () => {
    gw = await startGateway(config);
    expect((await chat('alice@example.com', 'shared-1')).status).to.equal(200);
    expect((await chat('alice@example.com', 'shared-1')).status).to.equal(200);
    const third = await chat('alice@example.com', 'shared-1');
    expect(third.status, 'alice\'s session is at its limit').to.equal(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).to.equal('rate limit reached: 2 requests per minute for session shared-1');
    // Mallory uses alice's session id: her own session, untouched by alice's use.
    const mallory = await chat('mallory@example.com', 'shared-1');
    expect(mallory.status).to.equal(200);
    expect(mallory.headers.get('x-ratelimit-remaining-requests')).to.equal('1');
  });
});
