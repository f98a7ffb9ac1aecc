// Gemini requests in proto JSON's snake_case spelling, as Google's curl examples write them
// (`system_instruction`, `inline_data {mime_type}`, `function_declarations`, `tool_config`,
// `generation_config`), translated for other providers: Google's API takes either spelling, so the
// tools, images and generation settings must reach the provider as with lowerCamel keys — and what
// the client wrote inside them (argument and property names) must stay as written.
import { expect } from 'chai';
import { embeddingAnswer, jsonAnswer } from '../helpers/family-answers.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

describe('Gemini client in snake_case, translated for OpenAI and Anthropic providers', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const body = req.url.endsWith('/embeddings') ? embeddingAnswer(req.url, req.body)
        : req.url.endsWith('/count_tokens') ? { input_tokens: 21 }
        : jsonAnswer(req.url.endsWith('/messages') ? 'anthropic.messages' : 'openai.chat', { model: 'm', text: ['{"ok":true}'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const origin = mock.url.replace(/\/v1$/, '');
    gw = await startGateway(config({
      providers: [
        `  oai: { type: openai, base_url: "${mock.url}", api_key: test-key }`,
        `  anth: { type: anthropic, base_url: "${origin}", api_key: test-key }`,
      ].join('\n'),
      chain: '  - use: router\n    with: { routes: [{ match: "claude-*", provider: anth }], default: oai }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; sent: Record<string, unknown> }> {
    const res = await fetch(`${gw.url}/v1beta/models/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() as Record<string, unknown>, sent: mock.requests.at(-1)!.body! };
  }

  const history = [
    { role: 'user', parts: [{ text: 'What is in this picture?' }, { inline_data: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
    { role: 'model', parts: [{ function_call: { id: 'c1', name: 'describe_image', args: { detail_level: 'high' } } }] },
    { role: 'user', parts: [{ function_response: { id: 'c1', name: 'describe_image', response: { output: 'a cat' } } }] },
  ];
  const tools = [{ function_declarations: [{ name: 'describe_image', parameters: { type: 'object', properties: { detail_level: { type: 'string' } } } }] }];

  it('generateContent: system, image, tools, tool choice and generation settings reach an OpenAI provider', async () => {
    const { status, json, sent } = await post('gpt-4o:generateContent', {
      system_instruction: { parts: [{ text: 'Answer in JSON.' }] },
      contents: history,
      tools,
      tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['describe_image'] } },
      generation_config: { max_output_tokens: 200, stop_sequences: ['END'], response_mime_type: 'application/json' },
    });
    expect(status, JSON.stringify(json)).to.equal(200);
    expect(sent['messages']).to.deep.equal([
      { role: 'system', content: 'Answer in JSON.' },
      { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'describe_image', arguments: '{"detail_level":"high"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'a cat' },
    ]);
    expect(sent['tools']).to.deep.equal([{ type: 'function', function: { name: 'describe_image', parameters: { type: 'object', properties: { detail_level: { type: 'string' } } } } }]);
    expect(sent).to.deep.include({ tool_choice: { type: 'function', function: { name: 'describe_image' } }, max_completion_tokens: 200, stop: ['END'], response_format: { type: 'json_object' } });
  });

  it('countTokens with a generate_content_request: its system and tools reach an Anthropic count', async () => {
    const { status, json, sent } = await post('claude-sonnet-4-5:countTokens', {
      generate_content_request: { model: 'models/claude-sonnet-4-5', system_instruction: { parts: [{ text: 'Be brief.' }] }, contents: history.slice(0, 1), tools },
    });
    expect(status).to.equal(200);
    expect(json).to.deep.equal({ totalTokens: 21 });
    expect(sent['system']).to.deep.equal([{ type: 'text', text: 'Be brief.' }]);
    expect(sent['tools']).to.deep.equal([{ name: 'describe_image', input_schema: { type: 'object', properties: { detail_level: { type: 'string' } } } }]);
  });

  it('batchEmbedContents: output_dimensionality reaches an OpenAI provider as dimensions', async () => {
    const { status, sent } = await post('text-embedding-3-small:batchEmbedContents', {
      requests: [{ model: 'models/text-embedding-3-small', content: { parts: [{ text: 'hello' }] }, output_dimensionality: 2 }],
    });
    expect(status).to.equal(200);
    expect(sent).to.deep.include({ input: ['hello'], dimensions: 2 });
  });
});
