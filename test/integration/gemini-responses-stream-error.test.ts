// A Responses upstream's in-stream failure reaches a Gemini client with the status the same failure
// has outside a stream: a rate limit (`rate_limit_exceeded`) is a 429 RESOURCE_EXHAUSTED, which
// Gemini CLI backs off on, not a 502 INTERNAL. @google/genai's ApiError carries the status.
import { expect } from 'chai';
import { ApiError, GoogleGenAI } from '@google/genai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const sse = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const RESPONSE = { id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-5', output: [] };
const MESSAGE = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] };

describe('Gemini client, Responses provider: an in-stream failure keeps its status', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  resp: { type: openai, base_url: "${mock.url}", api_key: k, protocols: [openai.responses] }`,
      chain: '  - use: router\n    with: { default: resp }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  for (const [name, end, status, rpc] of [
    ['an error event', sse('error', { sequence_number: 3, code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null }), 429, 'RESOURCE_EXHAUSTED'],
    ['response.failed', sse('response.failed', { sequence_number: 3, response: { ...RESPONSE, status: 'failed', error: { code: 'invalid_prompt', message: 'Invalid prompt' } } }), 400, 'INVALID_ARGUMENT'],
  ] as const) {
    it(`${name} after the first text: ApiError ${status} ${rpc}, the text before it delivered`, async () => {
      mock.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(sse('response.created', { sequence_number: 0, response: { ...RESPONSE, status: 'in_progress' } }));
        res.write(sse('response.output_item.added', { sequence_number: 1, output_index: 0, item: MESSAGE }));
        res.write(sse('response.output_text.delta', { sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel' }));
        res.end(end);
      });
      const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
      let text = '';
      const failure = await (async () => {
        for await (const c of await ai.models.generateContentStream({ model: 'gpt-5', contents: 'hi' })) text += c.text ?? '';
      })().then(() => undefined, (e: unknown) => e);
      expect(text).to.equal('Hel');
      expect(failure).to.be.instanceOf(ApiError);
      expect((failure as ApiError).status).to.equal(status);
      expect((failure as ApiError).message).to.contain(`"status":"${rpc}"`);
    });
  }
});
