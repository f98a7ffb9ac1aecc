// What a Responses WebSocket turn's events say of the request, as OpenAI's socket says it: the
// previous_response_id the client sent (though Sluice sends the provider the whole conversation
// instead), and the stream_id lane the response.create named — a field of the socket alone, which
// never reaches a provider.
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { streamAnswer } from '../helpers/family-answers.js';
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
    // A name every event would carry again: refused, and not echoed.
    const [long] = await client.turn({ type: 'response.create', stream_id: 'l'.repeat(513), model: 'gpt-5', input: 'x' });
    const [longest] = await client.turn({ type: 'response.create', stream_id: 'l'.repeat(512), model: 'gpt-5', store: false, generate: false, input: 'x' });
    const plain = await client.turn({ type: 'response.create', model: 'gpt-5', input: 'no lane' });
    client.close();
    expect(turn.at(-1)!.type).to.equal('response.completed');
    expect(turn.map((m) => m['stream_id'])).to.deep.equal(turn.map(() => 'main'));
    expect(prewarm.map((m) => m['stream_id'])).to.deep.equal(['side', 'side']);
    expect(missing).to.deep.include({ type: 'error', stream_id: 'side' });
    expect(mistyped).to.deep.include({ type: 'error', status: 400 });
    expect(mistyped!['error']).to.deep.include({ param: 'stream_id' });
    expect(long).to.deep.include({ type: 'error', status: 400 });
    expect(long).to.not.have.property('stream_id');
    expect(long!['error']).to.deep.include({ param: 'stream_id', message: 'stream_id must be at most 512 characters' });
    expect(longest).to.deep.include({ stream_id: 'l'.repeat(512) });
    expect(longest!.type).to.not.equal('error');
    expect(plain.every((m) => !('stream_id' in m))).to.equal(true);
    // A field of the socket, not of POST /v1/responses (where OpenAI refuses an unknown parameter).
    expect(up.requests.map((r) => r.body && 'stream_id' in r.body)).to.deep.equal([false, false]);
  });

  it('lanes run in parallel: a turn on another lane is not held behind a slow one, and each lane stays in order', async () => {
    up.requests.length = 0;
    // The upstream holds lane a's first answer until lane b's request has arrived: run one lane at
    // a time, b's request would never come.
    let releaseSlow: () => void = () => {};
    const bArrived = new Promise<void>((resolve) => { releaseSlow = resolve; });
    let n = 0;
    up.handle(async (req, res) => {
      const input = JSON.stringify(req.body!['input']);
      const id = `resp_par${++n}`;
      if (input.includes('a slow')) await Promise.race([bArrived, new Promise((r) => setTimeout(r, 5_000))]);
      if (input.includes('b quick')) releaseSlow();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(streamAnswer('openai.responses', { model: 'gpt-5', text: ['ok'] }).replaceAll('resp_mock', id));
    });
    const client = await Client.open(gw.url);
    const create = (lane: string, text: string) => ({ type: 'response.create', stream_id: lane, model: 'gpt-5', store: false, input: text });
    const started = Date.now();
    for (const m of [create('a', 'a slow'), create('a', 'a after'), create('b', 'b quick')]) client.ws.send(JSON.stringify(m));
    const ends = () => client.messages.filter((m) => m.type === 'response.completed' || m.type === 'error');
    while (ends().length < 3 && Date.now() - started < 8_000) await new Promise((r) => setTimeout(r, 20));
    client.close();
    up.handle();
    const order = ends().map((m) => [m['stream_id'], m.type]);
    // b finished first (its lane was free), a's two turns in their order after it; and within 5 s,
    // not by the mock's own give-up timer.
    expect(order).to.deep.equal([['b', 'response.completed'], ['a', 'response.completed'], ['a', 'response.completed']]);
    expect(Date.now() - started).to.be.below(4_000);
    const inputs = up.requests.map((r) => JSON.stringify(r.body!['input']));
    expect(inputs.findIndex((i) => i.includes('a after'))).to.be.above(inputs.findIndex((i) => i.includes('a slow')));
  });

  it('each lane keeps its latest response: lanes interleaved chain with store: false, and a new lane forks another\'s', async () => {
    up.requests.length = 0;
    // Every response its own id (the mock's default answer always says resp_mock).
    let n = 0;
    up.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(streamAnswer('openai.responses', { model: 'gpt-5', text: ['ok'] }).replaceAll('resp_mock', `resp_mock${++n}`));
    });
    const client = await Client.open(gw.url);
    const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
    const turn = (lane: string, input: string, previous?: string) => client.turn({ type: 'response.create', stream_id: lane, model: 'gpt-5', store: false, input: [user(input)], ...(previous ? { previous_response_id: previous } : {}) });
    const a1 = await turn('a', 'a one');
    const b1 = await turn('b', 'b one');
    const a2 = await turn('a', 'a two', completedOf(a1).id);
    const fork = await turn('c', 'c from b', completedOf(b1).id);
    client.close();
    up.handle();
    expect([a2, fork].map((t) => t.at(-1)!.type)).to.deep.equal(['response.completed', 'response.completed']);
    // Each went upstream as its own whole conversation: its lane's (or the forked lane's) input and output, then the new item.
    const inputs = up.requests.map((r) => (r.body!['input'] as { role?: string; type?: string; content?: { text?: string }[] }[]).map((i) => i.role === 'user' ? i.content![0]!.text : i.role ?? i.type));
    expect(inputs).to.deep.equal([['a one'], ['b one'], ['a one', 'assistant', 'a two'], ['b one', 'assistant', 'c from b']]);
  });
});
