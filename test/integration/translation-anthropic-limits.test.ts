// OpenAI-valid sampling values reach an Anthropic provider as values Anthropic takes (QA's repro:
// temperature 1.7, temperature with top_p, no max_tokens on a model with an 8192-token limit),
// judged by what the provider received.
import { expect } from 'chai';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

describe('Chat client, Anthropic provider: sampling values and max_tokens fitted to the model', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'msg_1', type: 'message', role: 'assistant', model: req.body?.['model'], content: [{ type: 'text', text: 'hello' }],
        stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 },
      }));
    });
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers:
  anth: { type: anthropic, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: test-key }
chain:
  - use: router
    with: { default: anth }
  - use: translator
`);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  async function sent(body: Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, 'messages'>): Promise<Record<string, unknown>> {
    const seen = mock.requests.length;
    const answer = await client.chat.completions.create({ ...body, messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.message.content).to.equal('hello');
    return mock.requests[seen]!.body!;
  }

  it('claude-3-5-haiku: temperature 1.7 → 1, top_p kept (the model takes both), max_tokens 8192', async () => {
    expect(await sent({ model: 'claude-3-5-haiku-latest', temperature: 1.7, top_p: 0.9 }))
      .to.include({ temperature: 1, top_p: 0.9, max_tokens: 8192 });
  });

  it('claude-sonnet-4-5: temperature without top_p (it refuses both), max_tokens 32000', async () => {
    const body = await sent({ model: 'claude-sonnet-4-5', temperature: 0.4, top_p: 0.9 });
    expect(body).to.include({ temperature: 0.4, max_tokens: 32000 });
    expect(body).to.not.have.property('top_p');
  });
});
