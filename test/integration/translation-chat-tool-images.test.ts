// A tool's images (Gemini CLI's read_file on an image, a screenshot tool; Claude Code's Read) reach a
// Chat provider: its tool messages hold text only, so the images follow in a user message after
// them instead of being dropped. @google/genai is the client; the mock records what OpenAI got.
import { expect } from 'chai';
import { GoogleGenAI } from '@google/genai';
import { jsonAnswer } from '../helpers/family-answers.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

describe('Gemini client, Chat provider: images in a function response', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jsonAnswer('openai.chat', { model: 'gpt-4o', text: ['a red square'] })));
    });
    gw = await startGateway(config({
      providers: `  oai: { type: openai, base_url: "${mock.url}", api_key: test-key }`,
      chain: '  - use: router\n    with: { default: oai }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('the tool message keeps the text, the image follows in a user message', async () => {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
    const answer = await ai.models.generateContent({
      model: 'gpt-4o',
      contents: [
        { role: 'user', parts: [{ text: 'What does shot.png show?' }] },
        { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'read_file', args: { path: 'shot.png' } } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'read_file', response: { output: 'Read image file: shot.png' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] } }] },
      ],
    });
    expect(answer.text).to.equal('a red square');
    expect((mock.requests.at(-1)!.body!['messages'] as unknown[]).slice(2)).to.deep.equal([
      { role: 'tool', tool_call_id: 'c1', content: 'Read image file: shot.png' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ]);
  });
});
