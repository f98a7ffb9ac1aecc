// What a Responses WebSocket turn's events say of the request, as OpenAI's socket says it: the
// previous_response_id the client sent (though Sluice sends the provider the whole conversation
// instead), and the stream_id lane the response.create named — a field of the socket alone, which
// never reaches a provider.
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { Client, completedOf, type Msg } from '../helpers/socket-client.js';

const responseOf = (m: Msg) => m['response'] as Record<string, unknown> | undefined;

describe('Responses API over WebSocket: what the events echo', function () {
  this.timeout(30_000);
  let up: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(`storage: { database: "sqlite::memory:" }
providers:
  local: { type: loopback }
  oai: { type: openai, base_url: "${up.origin}/v1", api_key: test-key }
chain:
  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: oai }
      default: local
  - use: translator
`);
  });
  after(async () => { await gw.close(); await up.close(); });

  it('a chained turn\'s events name the previous_response_id the client sent, as OpenAI echoes it (a prewarm too)', async () => {
    const client = await Client.open(gw.url);
    const first = await client.turn({ type: 'response.create', model: 'loopback', store: false, input: 'one' });
    const previous = completedOf(first).id;
    const second = await client.turn({ type: 'response.create', model: 'loopback', store: false, previous_response_id: previous, input: 'two' });
    const prewarm = await client.turn({ type: 'response.create', model: 'loopback', store: false, previous_response_id: completedOf(second).id, generate: false, input: 'three' });
    client.close();
    expect(second.at(-1)!.type).to.equal('response.completed');
    const echoed = second.filter(responseOf).map((m) => [m.type, responseOf(m)!['previous_response_id']]);
    expect(echoed).to.deep.equal([['response.created', previous], ['response.in_progress', previous], ['response.completed', previous]]);
    expect(prewarm.map((m) => responseOf(m)!['previous_response_id'])).to.deep.equal([completedOf(second).id, completedOf(second).id]);
    // A turn that chains nothing still says null.
    expect(responseOf(first[0]!)!['previous_response_id']).to.equal(null);
  });

  it('stream_id names the lane every event of its response echoes (a refusal and a prewarm too), and never goes upstream', async () => {
    up.requests.length = 0;
    const client = await Client.open(gw.url);
    const turn = await client.turn({ type: 'response.create', stream_id: 'main', model: 'gpt-5', store: false, input: 'hi' });
    const prewarm = await client.turn({ type: 'response.create', stream_id: 'side', model: 'gpt-5', store: false, generate: false, input: 'warm' });
    const [missing] = await client.turn({ type: 'response.create', stream_id: 'side', model: 'gpt-5', store: false, previous_response_id: 'resp_elsewhere', input: 'x' });
    const [mistyped] = await client.turn({ type: 'response.create', stream_id: 7, model: 'gpt-5', input: 'x' });
    const plain = await client.turn({ type: 'response.create', model: 'gpt-5', input: 'no lane' });
    client.close();
    expect(turn.at(-1)!.type).to.equal('response.completed');
    expect(turn.map((m) => m['stream_id'])).to.deep.equal(turn.map(() => 'main'));
    expect(prewarm.map((m) => m['stream_id'])).to.deep.equal(['side', 'side']);
    expect(missing).to.deep.include({ type: 'error', stream_id: 'side' });
    expect(mistyped).to.deep.include({ type: 'error', status: 400 });
    expect(mistyped!['error']).to.deep.include({ param: 'stream_id' });
    expect(plain.every((m) => !('stream_id' in m))).to.equal(true);
    // A field of the socket, not of POST /v1/responses (where OpenAI refuses an unknown parameter).
    expect(up.requests.map((r) => r.body && 'stream_id' in r.body)).to.deep.equal([false, false]);
  });
});
