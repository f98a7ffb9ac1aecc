// The official openai client is the judge: answers through Sluice, from loopback and from an
// OpenAI-compatible upstream, streaming and not, with a tool-call round trip.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chunk, defaultHandler, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{
  type: 'function',
  function: { name: 'shell', description: 'run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] } },
}];

describe('openai SDK through Sluice', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}", api_key: [key-one, key-two] }`,
      chain: `  - use: router\n    with:\n      routes:\n        - { match: "gpt-*", provider: upstream }\n      aliases: { fast: gpt-4o-mini }\n      default: local`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; mock.handle(defaultHandler); });

  describe('loopback', () => {
    it('answers a non-streaming chat with usage', async () => {
      const res = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
      expect(res.choices[0]!.message.content).to.equal('Loopback reply. You said: ping');
      expect(res.choices[0]!.finish_reason).to.equal('stop');
      expect(res.usage!.completion_tokens).to.be.greaterThan(0);
      expect(mock.requests).to.have.length(0);
    });

    it('streams the same message the JSON call returns, with usage when asked', async () => {
      const json = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'stream me please' }] });
      const stream = await client.chat.completions.create({ model: 'loopback', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me please' }] });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const c of stream) {
        text += c.choices[0]?.delta.content ?? '';
        if (c.usage) usage = c.usage;
      }
      expect(text).to.equal(json.choices[0]!.message.content);
      expect(usage?.total_tokens).to.equal(json.usage!.total_tokens);
    });

    it('runs a tool-call round trip (scripted by the prompt marker)', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'list files [[tool:shell {"cmd":"ls"}]]' }];
      const first = await client.chat.completions.create({ model: 'loopback', messages, tools });
      const call = first.choices[0]!.message.tool_calls![0]!;
      expect(first.choices[0]!.finish_reason).to.equal('tool_calls');
      expect(call.type === 'function' && call.function.name).to.equal('shell');
      expect(call.type === 'function' && JSON.parse(call.function.arguments)).to.deep.equal({ cmd: 'ls' });
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'a.txt b.txt' });
      const second = await client.chat.completions.create({ model: 'loopback', messages, tools });
      expect(second.choices[0]!.message.content).to.equal('Tool shell returned: a.txt b.txt');
    });

    it('streams tool-call arguments in fragments the SDK reassembles', async () => {
      const runner = client.chat.completions.stream({ model: 'loopback', tools, messages: [{ role: 'user', content: '[[tool:shell {"cmd":"cat /etc/hostname && echo done"}]]' }] });
      const final = await runner.finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls![0]!;
      expect(call.type === 'function' && JSON.parse(call.function.arguments)).to.deep.equal({ cmd: 'cat /etc/hostname && echo done' });
    });

    it('creates embeddings (the SDK asks for base64 and decodes it)', async () => {
      const a = await client.embeddings.create({ model: 'loopback-embed', input: ['hello', 'world'] });
      const b = await client.embeddings.create({ model: 'loopback-embed', input: 'hello', encoding_format: 'float', dimensions: 256 });
      expect(a.data).to.have.length(2);
      expect(a.data[0]!.embedding).to.have.length(256);
      expect(a.data[0]!.embedding[0]).to.be.closeTo(b.data[0]!.embedding[0]!, 1e-6);
      expect(a.data[0]!.embedding).to.not.deep.equal(a.data[1]!.embedding);
    });

    it('lists every model the routes can serve', async () => {
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).to.include.members(['loopback', 'loopback-embed', 'fast']);
    });
  });

  describe('OpenAI-compatible upstream', () => {
    it('passes a JSON chat through and rotates API keys', async () => {
      const a = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(a.choices[0]!.message.content).to.equal('Hello world');
      expect(mock.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(mock.requests[0]!.body).to.include({ model: 'gpt-4o', temperature: 0.2 });
      expect([mock.requests[0]!.headers.authorization, mock.requests[1]!.headers.authorization]).to.have.members(['Bearer key-one', 'Bearer key-two']);
    });

    it('rewrites an alias to the model the upstream sees', async () => {
      await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
      expect(mock.requests[0]!.body!['model']).to.equal('gpt-4o-mini');
    });

    it('forwards unknown request fields untouched', async () => {
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...({ vendor_extension: { a: [1, 2] } } as object) });
      expect(mock.requests[0]!.body!['vendor_extension']).to.deep.equal({ a: [1, 2] });
    });

    it('streams from the upstream', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).to.equal('Hello world');
    });

    it('runs a streamed tool-call round trip against the upstream', async () => {
      mock.handle((req, res) => {
        const hasResult = (req.body!['messages'] as { role: string }[]).some((m) => m.role === 'tool');
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (hasResult) {
          res.write(chunk('gpt-4o', { role: 'assistant', content: 'done: ' }));
          res.write(chunk('gpt-4o', { content: 'ok' }));
          res.write(chunk('gpt-4o', {}, 'stop'));
        } else {
          res.write(chunk('gpt-4o', { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'shell', arguments: '' } }] }));
          for (const part of ['{"cm', 'd":"l', 's -la"}']) res.write(chunk('gpt-4o', { tool_calls: [{ index: 0, function: { arguments: part } }] }));
          res.write(chunk('gpt-4o', {}, 'tool_calls'));
        }
        res.end('data: [DONE]\n\n');
      });
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'list' }];
      const first = await client.chat.completions.stream({ model: 'gpt-4o', messages, tools }).finalChatCompletion();
      const call = first.choices[0]!.message.tool_calls![0]!;
      expect(call.type === 'function' && call.function.arguments).to.equal('{"cmd":"ls -la"}');
      messages.push(first.choices[0]!.message as OpenAI.Chat.Completions.ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: 'x' });
      const second = await client.chat.completions.stream({ model: 'gpt-4o', messages, tools }).finalChatCompletion();
      expect(second.choices[0]!.message.content).to.equal('done: ok');
    });

    for (const [status, errorClass] of [[401, OpenAI.AuthenticationError], [429, OpenAI.RateLimitError], [500, OpenAI.InternalServerError]] as const) {
      it(`keeps an upstream ${status} in the OpenAI envelope${status === 401 ? ' (with Sluice’s message)' : ''}`, async () => {
        mock.handle((_req, res) => {
          res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '7' });
          res.end(JSON.stringify({ error: { message: `upstream says ${status}`, type: 'upstream_type', param: null, code: 'upstream_code' } }));
        });
        const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(errorClass);
        const apiErr = err as InstanceType<typeof OpenAI.APIError>;
        expect(apiErr.status).to.equal(status);
        if (status === 401) {
          // About the gateway's own credentials: Sluice's words, none of the upstream's (see upstream-hygiene.test.ts).
          expect(apiErr.message).to.contain("rejected the gateway's upstream credentials").and.not.contain('upstream says');
          expect(apiErr.code).to.equal(null);
        } else {
          expect(apiErr.message).to.contain(`upstream says ${status}`);
          expect(apiErr.code).to.equal('upstream_code');
        }
        expect(apiErr.headers?.get('retry-after')).to.equal('7');
      });
    }

    it('turns a refused connection into a 502 in the OpenAI envelope', async () => {
      const dead = await startGateway(config({
        providers: '  down: { type: openai, base_url: "http://127.0.0.1:9/v1", timeouts: { connect_ms: 500 } }',
        chain: '  - use: router\n    with: { default: down }',
      }));
      try {
        const c = new OpenAI({ baseURL: `${dead.url}/v1`, apiKey: 'x', maxRetries: 0 });
        const err = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(OpenAI.APIError);
        expect((err as InstanceType<typeof OpenAI.APIError>).status).to.equal(502);
        expect((err as InstanceType<typeof OpenAI.APIError>).code).to.equal('SLUICE_E_UPSTREAM_UNAVAILABLE');
      } finally { await dead.close(); }
    });
  });
});
