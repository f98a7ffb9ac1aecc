// A Gemini client on a reasoning model of another family: OpenAI Responses reasoning that is only
// encrypted (no summary text) reaches @google/genai as a signed empty thought, and the next turn
// sends it back to OpenAI as a reasoning item — whether the answer was streamed or not.
import { GoogleGenAI, type Content, type Part } from '@google/genai';
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { isStreamRequest, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

const ENCRYPTED = 'gAAAAABo-encrypted-reasoning==';
const sse = (d: Record<string, unknown>): string => `event: ${String(d['type'])}\ndata: ${JSON.stringify(d)}\n\n`;

/** What OpenAI answers a reasoning model asked without a summary: an encrypted reasoning item, then the call. */
function responsesAnswer(stream: boolean): string {
  const reasoning = { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: ENCRYPTED };
  const call = { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'lookup', arguments: '{"city":"Paris"}' };
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 21 };
  const response = (status: string, output: unknown[], u: unknown) => ({ id: 'resp_1', object: 'response', created_at: 1, status, model: 'gpt-5', output, usage: u, error: null, incomplete_details: null });
  if (!stream) return JSON.stringify(response('completed', [reasoning, call], usage));
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...fields });
  return ev('response.created', { response: response('in_progress', [], null) })
    + ev('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } })
    + ev('response.output_item.done', { output_index: 0, item: reasoning })
    + ev('response.output_item.added', { output_index: 1, item: { ...call, status: 'in_progress', arguments: '' } })
    + ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: call.arguments })
    + ev('response.function_call_arguments.done', { item_id: 'fc_1', output_index: 1, arguments: call.arguments })
    + ev('response.output_item.done', { output_index: 1, item: call })
    + ev('response.completed', { response: response('completed', [reasoning, call], usage) });
}

describe('translation: encrypted-only reasoning of another family to a Gemini client', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  let ai: GoogleGenAI;
  const tools = [{ functionDeclarations: [{ name: 'lookup', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }];

  before(async () => {
    upstream = await startRecordingUpstream();
    upstream.handle((req, res) => {
      const stream = isStreamRequest(req);
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' }).end(responsesAnswer(stream));
    });
    gw = await startGateway(config({
      providers: `  up: { type: openai, base_url: "${upstream.origin}/v1", api_key: k, protocols: [openai.responses] }\n`,
      chain: '  - use: router\n    with: { default: up }\n  - use: translator',
    }));
    ai = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); await upstream.close(); });

  const ask = (contents: Content[]) => ({ model: 'gpt-5', contents, config: { tools } });
  const user: Content = { role: 'user', parts: [{ text: 'weather in Paris?' }] };

  async function answer(stream: boolean): Promise<Part[]> {
    if (!stream) return (await ai.models.generateContent(ask([user]))).candidates?.[0]?.content?.parts ?? [];
    const parts: Part[] = [];
    for await (const chunk of await ai.models.generateContentStream(ask([user]))) parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
    return parts;
  }

  it('the JSON answer carries the reasoning as the stream does: a signed thought, not a signature on the call', async () => {
    const json = await answer(false);
    const streamed = await answer(true);
    expect(json).to.deep.equal(streamed);
    expect(json[0]).to.deep.equal({ text: '', thought: true, thoughtSignature: `sluice1.openai.${ENCRYPTED}` });
    expect(json[1]?.functionCall?.name).to.equal('lookup');
    expect(json[1]?.thoughtSignature).to.equal(undefined);
  });

  for (const stream of [false, true]) {
    it(`the next turn gives OpenAI its reasoning item back (answer ${stream ? 'streamed' : 'not streamed'})`, async () => {
      const parts = await answer(stream);
      const call = parts.find((p) => p.functionCall)!.functionCall!;
      upstream.requests.length = 0;
      await ai.models.generateContent(ask([user, { role: 'model', parts }, { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: 'sunny' } } }] }]));
      const input = upstream.requests[0]?.body?.['input'] as Record<string, unknown>[];
      expect(input.filter((i) => i['type'] === 'reasoning')).to.deep.equal([{ type: 'reasoning', summary: [], encrypted_content: ENCRYPTED }]);
      expect(input.map((i) => i['role'] ?? i['type'])).to.deep.equal(['user', 'reasoning', 'function_call', 'function_call_output']);
    });
  }
});
