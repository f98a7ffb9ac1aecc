// A Responses answer cut short by the token limit, translated from another upstream, is incomplete
// all the way down — response.status, incomplete_details and the message item it cut — in JSON and
// in the stream, as OpenAI's own Responses API reports it.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chatCompletionBody, chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

describe('Responses: an answer truncated by the token limit', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  chat-only: { type: openai, base_url: "${mock.url}", api_key: k, protocols: [openai.chat] }`,
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "gpt-*", provider: chat-only }\n      default: local\n  - use: translator',
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      if (req.body?.['stream'] === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'Once upon a' }));
        res.write(chunk(model, {}, 'length'));
        res.end(`data: ${JSON.stringify({ id: 'chatcmpl-mock1', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } })}\n\ndata: [DONE]\n\n`);
        return;
      }
      const body = chatCompletionBody(model, 'Once upon a') as { choices: { finish_reason: string }[] };
      body.choices[0]!.finish_reason = 'length';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('JSON: the response and its message item are incomplete, the text kept', async () => {
    const res = await client.responses.create({ model: 'gpt-4o', input: 'tell a story', max_output_tokens: 4 });
    expect(res.status).to.equal('incomplete');
    expect(res.incomplete_details).to.deep.equal({ reason: 'max_output_tokens' });
    const message = res.output.find((o): o is OpenAI.Responses.ResponseOutputMessage => o.type === 'message');
    expect(message?.status).to.equal('incomplete');
    expect(res.output_text).to.equal('Once upon a');
  });

  it('stream: response.incomplete, and the message item is done as incomplete', async () => {
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'tell a story', max_output_tokens: 4, stream: true })) events.push(ev);
    const terminal = events.at(-1)!;
    expect(terminal.type).to.equal('response.incomplete');
    const response = (terminal as OpenAI.Responses.ResponseIncompleteEvent).response;
    expect(response.incomplete_details).to.deep.equal({ reason: 'max_output_tokens' });
    const done = events.find((e): e is OpenAI.Responses.ResponseOutputItemDoneEvent => e.type === 'response.output_item.done' && e.item.type === 'message');
    expect(done?.item).to.include({ status: 'incomplete' });
    const message = response.output.find((o): o is OpenAI.Responses.ResponseOutputMessage => o.type === 'message');
    expect(message?.status).to.equal('incomplete');
    expect(message?.content).to.deep.equal([{ type: 'output_text', text: 'Once upon a', annotations: [], logprobs: [] }]);
  });
});
