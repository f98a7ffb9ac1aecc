// How long a Responses WebSocket lives: a socket with no turn for server.websocket_idle_timeout_ms
// is closed (pings do not count: the socket would otherwise hold its conversation for ever), and
// every socket is closed at server.websocket_lifetime_ms (OpenAI's is 60 minutes), a turn in flight
// first allowed to finish and the messages behind it told websocket_connection_limit_reached, the
// code on which Codex opens a new connection.
import { expect } from 'chai';
import { parseConfigText } from '../../core/config/load.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import type { MockUpstream } from '../helpers/mock-upstream.js';
import { slowStreams } from '../helpers/slow-streams.js';
import { Client } from '../helpers/socket-client.js';

/** Until the gateway closes `client`'s socket (or `ms` pass), pinging it every 50 ms as a live client would. */
async function closedBy(client: Client, ms: number): Promise<{ code: number; reason: string } | undefined> {
  const deadline = Date.now() + ms;
  while (!client.closed && Date.now() < deadline) {
    if (client.ws.readyState === client.ws.OPEN) client.ws.ping();
    await new Promise((r) => setTimeout(r, 50));
  }
  return client.closed;
}

describe('Responses API over WebSocket: idle timeout and lifetime', function () {
  this.timeout(30_000);
  let up: MockUpstream;
  const gateways: TestGateway[] = [];
  const gateway = async (server: string) => {
    const gw = await startGateway(`server: { ${server} }
storage: { database: "sqlite::memory:" }
providers:
  local: { type: loopback }
  claude: { type: anthropic, base_url: "${up.url.replace(/\/v1$/, '')}", api_key: test-key }
chain:
  - use: router
    with:
      routes:
        - { match: "claude-*", provider: claude }
      default: local
  - use: translator
`);
    gateways.push(gw);
    return gw;
  };

  it('by default an idle socket lives as long as any socket (60 minutes): OpenAI closes none sooner for idleness', () => {
    const { server } = parseConfigText('providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n', 'x.yaml', {}).config;
    expect(server.websocket_lifetime_ms).to.equal(3_600_000);
    expect(server.websocket_idle_timeout_ms).to.equal(server.websocket_lifetime_ms);
  });

  before(async () => { up = await slowStreams(); });
  after(async () => { await Promise.all(gateways.map((g) => g.close())); await up.close(); });

  it('a socket idle past websocket_idle_timeout_ms is closed (1001) though it answers pings; a turn longer than that is not cut', async () => {
    const gw = await gateway('websocket_idle_timeout_ms: 400, websocket_lifetime_ms: 60000');
    const client = await Client.open(gw.url);
    const started = Date.now();
    // The slow upstream takes ~1.8 s: a turn in flight is not idleness.
    const slow = await client.turn({ type: 'response.create', model: 'claude-sonnet-4-5', input: 'tell it slowly' });
    expect(Date.now() - started).to.be.above(1000);
    expect(slow.at(-1)!.type).to.equal('response.completed');
    const ended = Date.now();
    const closed = await closedBy(client, 5000);
    expect(closed).to.deep.include({ code: 1001 });
    expect(closed!.reason).to.match(/idle/);
    expect(Date.now() - ended).to.be.within(300, 2000);
  });

  it('at websocket_lifetime_ms the turn in flight finishes, the message behind it gets websocket_connection_limit_reached, then the socket closes (1001)', async () => {
    const gw = await gateway('websocket_lifetime_ms: 800');
    const client = await Client.open(gw.url);
    const from = client.messages.length;
    client.ws.send(JSON.stringify({ type: 'response.create', model: 'claude-sonnet-4-5', input: 'tell it slowly' }));
    client.ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', input: 'and then' }));
    const first = await client.until(from);
    expect(first.at(-1)!.type).to.equal('response.completed');
    const [limit] = await client.until(from + first.length);
    expect(limit).to.deep.include({ type: 'error', status: 400 });
    expect(limit!['error']).to.deep.include({ code: 'websocket_connection_limit_reached', type: 'invalid_request_error' });
    const closed = await closedBy(client, 3000);
    expect(closed).to.deep.include({ code: 1001 });
    expect(closed!.reason).to.match(/limit/);
  });

  it('a socket busy with short turns is still closed at websocket_lifetime_ms', async () => {
    const gw = await gateway('websocket_idle_timeout_ms: 60000, websocket_lifetime_ms: 600');
    const client = await Client.open(gw.url);
    const opened = Date.now();
    let turns = 0;
    while (!client.closed && Date.now() - opened < 5000) {
      const msgs = await client.turn({ type: 'response.create', model: 'loopback', input: 'again' }).catch(() => []);
      if (msgs.at(-1)?.type === 'response.completed') turns++;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(client.closed).to.deep.include({ code: 1001 });
    expect(Date.now() - opened).to.be.below(3000);
    expect(turns).to.be.above(2);
  });
});
