// A Responses stream that fails after it began reports the failure in its `error` event with the
// code, message and param the JSON error of the same failure carries — the upstream's own, not a
// blanket SLUICE_E_UPSTREAM_ERROR — so a client handles both the same way; then `response.failed`,
// the failed response, which is what Codex CLI reads to show the error and decide on a retry.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const UPSTREAM_ERROR = { message: 'Rate limit reached for gpt-4o in organization org-x on tokens per min.', type: 'tokens', param: null, code: 'rate_limit_exceeded' };

describe('Responses in-stream error carries the JSON error\'s code and message', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  chat-only: { type: openai, base_url: "${mock.url}", api_key: k, protocols: [openai.chat] }\n  responses: { type: openai, base_url: "${mock.url}", api_key: k }`,
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "gpt-*", provider: chat-only }\n        - { match: "resp-*", provider: responses }\n      default: local\n  - use: translator',
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('translated from Chat: the error event has the upstream code, as the JSON error does', async () => {
    mock.handle((_req, res) => { res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ error: UPSTREAM_ERROR })); });
    const json = await client.responses.create({ model: 'gpt-4o', input: 'go' }).then(() => undefined, (e: unknown) => e);
    expect(json).to.be.instanceOf(OpenAI.RateLimitError);
    const jsonError = (json as InstanceType<typeof OpenAI.RateLimitError>).error as { code: string; message: string };
    expect(jsonError.code).to.equal('rate_limit_exceeded');

    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(`data: ${JSON.stringify({ error: UPSTREAM_ERROR })}\n\n`), 20);
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'go', stream: true })) events.push(ev);
    const error = events.find((e): e is OpenAI.Responses.ResponseErrorEvent => e.type === 'error');
    expect(error, JSON.stringify(events.map((e) => e.type))).to.not.equal(undefined);
    expect(error).to.include({ code: jsonError.code, message: jsonError.message, param: null });
  });

  it('a gateway error mid-stream (upstream cut short) keeps its SLUICE_E_* code, as its JSON error would', async () => {
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(), 20);
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'go', stream: true })) events.push(ev);
    const error = events.find((e): e is OpenAI.Responses.ResponseErrorEvent => e.type === 'error');
    expect(error?.code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
  });

  /** The stream's events as the openai SDK yields them, and what its ResponseStream makes of them. */
  async function failedStream(model: string): Promise<{ events: OpenAI.Responses.ResponseStreamEvent[]; failed: OpenAI.Responses.ResponseFailedEvent[]; final: unknown }> {
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model, input: 'go', stream: true })) events.push(ev);
    const failed = events.filter((e): e is OpenAI.Responses.ResponseFailedEvent => e.type === 'response.failed');
    const final = await client.responses.stream({ model, input: 'go' }).finalResponse().then(() => 'resolved', (e: unknown) => e);
    return { events, failed, final };
  }

  function expectFailedAfterError(events: OpenAI.Responses.ResponseStreamEvent[], failed: OpenAI.Responses.ResponseFailedEvent[], code: string): void {
    const types = JSON.stringify(events.map((e) => e.type));
    expect(failed, types).to.have.length(1);
    // The error event, then response.failed as the last event and the only terminal one.
    expect(events.at(-1)?.type, types).to.equal('response.failed');
    expect(events.at(-2)?.type, types).to.equal('error');
    expect(events.filter((e) => ['response.completed', 'response.incomplete', 'response.failed'].includes(e.type)), types).to.have.length(1);
    expect(events.map((e) => e.sequence_number)).to.deep.equal(events.map((_e, i) => i));
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    const response = failed[0]!.response;
    expect(response.id).to.equal(created.response.id);
    expect(response.status).to.equal('failed');
    expect(response.error).to.deep.include({ code });
    expect(response.error?.message).to.be.a('string').and.not.equal('');
  }

  it('translated from Chat: an upstream error mid-stream ends with response.failed (status failed, the error), after the error event', async () => {
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(`data: ${JSON.stringify({ error: UPSTREAM_ERROR })}\n\n`), 20);
    });
    const { events, failed, final } = await failedStream('gpt-4o');
    expectFailedAfterError(events, failed, 'rate_limit_exceeded');
    expect(failed[0]!.response.error?.message).to.equal(UPSTREAM_ERROR.message);
    // The SDK's ResponseStream fails (with the error event it read) rather than handing back an answer.
    expect(final).to.not.equal('resolved');
    expect(final).to.deep.include({ message: UPSTREAM_ERROR.message });
  });

  it('an upstream cut short mid-stream ends with response.failed carrying SLUICE_E_UPSTREAM_TRUNCATED', async () => {
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(), 20);
    });
    const { events, failed } = await failedStream('gpt-4o');
    expectFailedAfterError(events, failed, 'SLUICE_E_UPSTREAM_TRUNCATED');
  });

  // The passthrough cases: a Responses upstream of its own, for the `resp-*` models.
  const responseObject = (status: string) => ({
    id: 'resp_up_1', object: 'response', created_at: 1, status, error: null, incomplete_details: null, instructions: null,
    max_output_tokens: null, model: 'gpt-4o', output: [], parallel_tool_calls: true, previous_response_id: null,
    reasoning: { effort: null, summary: null }, store: false, temperature: 1, top_p: 1, text: { format: { type: 'text' } },
    tool_choice: 'auto', tools: [], truncation: 'disabled', usage: null, metadata: {},
  });
  const sse = (data: Record<string, unknown>) => `event: ${String(data['type'])}\ndata: ${JSON.stringify(data)}\n\n`;

  function upstream(end: (res: import('node:http').ServerResponse) => void): void {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const item = { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      res.write(sse({ type: 'response.created', response: responseObject('in_progress'), sequence_number: 0 })
        + sse({ type: 'response.in_progress', response: responseObject('in_progress'), sequence_number: 1 })
        + sse({ type: 'response.output_item.added', output_index: 0, item, sequence_number: 2 })
        + sse({ type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] }, sequence_number: 3 })
        + sse({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'partial ', logprobs: [], sequence_number: 4 }));
      setTimeout(() => end(res), 20);
    });
  }

  it('passthrough: an upstream\'s bare error event mid-stream is followed by response.failed, the upstream response failed', async () => {
    upstream((res) => res.end(sse({ type: 'error', code: 'server_error', message: 'The server had an error processing your request.', param: null, sequence_number: 5 })));
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'resp-4o', input: 'go', stream: true })) events.push(ev);
    expect(events.map((e) => e.type).slice(-2)).to.deep.equal(['error', 'response.failed']);
    const failed = events.at(-1) as OpenAI.Responses.ResponseFailedEvent;
    expect(failed.sequence_number).to.equal(6);
    expect(failed.response).to.deep.include({ id: 'resp_up_1', status: 'failed', error: { code: 'server_error', message: 'The server had an error processing your request.' } });
  });

  it('passthrough: an upstream response.failed of its own is passed on once, with nothing added', async () => {
    const upstreamFailed = { ...responseObject('failed'), error: { code: 'server_error', message: 'boom' } };
    upstream((res) => res.end(sse({ type: 'response.failed', response: upstreamFailed, sequence_number: 5 })));
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'resp-4o', input: 'go', stream: true })) events.push(ev);
    expect(events.map((e) => e.type).filter((t) => t === 'response.failed' || t === 'error')).to.deep.equal(['response.failed']);
    expect((events.at(-1) as OpenAI.Responses.ResponseFailedEvent).response.error).to.deep.equal({ code: 'server_error', message: 'boom' });
  });
});
