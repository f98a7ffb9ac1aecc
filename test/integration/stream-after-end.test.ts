// What an upstream sends after its stream's end — after Chat's `[DONE]`, Anthropic's `message_stop`,
// Responses' `response.completed` — is not the answer: some servers and proxies append a second
// answer, debug lines or garbage, or reset the connection. The client gets the answer as it ended,
// passed through or translated, as soon as the end came (an upstream that holds the connection open
// after it does not hold the client), and a failure after the end does not turn it into an error.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { streamAnswer } from '../helpers/family-answers.js';
import { protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** What a misbehaving upstream appends after its last event, in each family's own shapes. */
function afterEnd(url: string, model: string): string {
  switch (protocolOfPath(url)) {
    case 'openai.chat':
      return sse({ id: 'chatcmpl-late', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta: { content: 'LATE' }, logprobs: null, finish_reason: null }] })
        + 'data: not json at all\n\n' + 'data: [DONE]\n\n';
    case 'anthropic.messages':
      return sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'LATE' } }, 'content_block_delta') + 'data: not json at all\n\n';
    case 'openai.responses':
      return sse({ type: 'response.output_text.delta', sequence_number: 99, item_id: 'msg_mock', output_index: 0, content_index: 0, delta: 'LATE', logprobs: [] }, 'response.output_text.delta');
    default:
      return '';
  }
}

describe('stream after its end: what an upstream sends past its terminal event never reaches the client', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;
  /** After the extra events: end the body, reset the connection, or hold it open. */
  let ending: 'end' | 'reset' | 'hold' = 'end';
  const held = new Set<import('node:http').ServerResponse>();

  before(async () => {
    upstream = await startRecordingUpstream();
    upstream.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(streamAnswer(protocolOfPath(req.url), { model, text: ['Hello', ' world'] }, { includeUsage: true }) + afterEnd(req.url, model));
      if (ending === 'reset') setTimeout(() => res.socket?.resetAndDestroy(), 20);
      else if (ending === 'hold') held.add(res);
      else res.end();
    });
    gw = await startGateway(config({
      providers: [
        `  oa: { type: openai, base_url: "${upstream.origin}/v1", api_key: k }`,
        `  an: { type: anthropic, base_url: "${upstream.origin}", api_key: k }`,
        `  resp: { type: openai, base_url: "${upstream.origin}/v1", api_key: k, protocols: [openai.responses] }`,
      ].join('\n') + '\n',
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: an }
        - { match: "resp-*", provider: resp }
      default: oa
  - use: translator`,
    }));
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await upstream.close(); });
  beforeEach(() => { ending = 'end'; });
  afterEach(() => { for (const res of held) res.end(); held.clear(); });

  async function chatText(model: string): Promise<string> {
    let text = '';
    for await (const c of await openai.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] })) text += c.choices[0]?.delta.content ?? '';
    return text;
  }
  async function messageText(model: string): Promise<string> {
    const final = await anthropic.messages.stream({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    return final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  }

  for (const [label, model] of [['Chat, passed through', 'gpt-4o'], ['Anthropic, translated', 'claude-sonnet-4-6'], ['Responses, translated', 'resp-gpt-5']] as const) {
    it(`an OpenAI chat client gets only the answer (${label})`, async () => {
      expect(await chatText(model)).to.equal('Hello world');
    });
  }

  for (const [label, model] of [['passed through', 'claude-sonnet-4-6'], ['translated from Chat', 'gpt-4o'], ['translated from Responses', 'resp-gpt-5']] as const) {
    it(`an Anthropic client gets only the answer (${label})`, async () => {
      expect(await messageText(model)).to.equal('Hello world');
    });
  }

  it('the raw passthrough bytes end at the terminal event', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}'), text.slice(-200)).to.equal(true);
    expect(text).to.not.include('LATE');
  });

  it('a connection reset after the end does not turn a whole answer into an error', async () => {
    ending = 'reset';
    expect(await chatText('gpt-4o')).to.equal('Hello world');
    expect(await messageText('claude-sonnet-4-6')).to.equal('Hello world');
  });

  it('an upstream that holds its connection open after the end does not hold the client (idle_ms is 5 minutes)', async () => {
    ending = 'hold';
    const started = performance.now();
    expect(await chatText('gpt-4o')).to.equal('Hello world');
    expect(await messageText('claude-sonnet-4-6')).to.equal('Hello world');
    expect(await chatText('resp-gpt-5')).to.equal('Hello world');
    expect(performance.now() - started).to.be.below(3000);
    // And the connections held open are closed soon after (a graceful shutdown waits for them).
    const responses = [...held];
    expect(responses).to.have.length(3);
    const deadline = performance.now() + 3000;
    while (responses.some((r) => !r.destroyed) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(responses.filter((r) => !r.destroyed)).to.have.length(0);
  });
});
