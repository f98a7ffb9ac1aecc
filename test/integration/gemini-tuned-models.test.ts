// A tuned model through Sluice: the Gemini SDK sends a model named `tunedModels/{id}` to
// /v1beta/tunedModels/{id}:generateContent (not under /models/), and a gemini provider must call
// the same collection upstream. @google/genai is the client; the mock records the upstream path.
import { expect } from 'chai';
import { GoogleGenAI } from '@google/genai';
import { jsonAnswer, streamAnswer } from '../helpers/family-answers.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

describe('Gemini client: tuned models (tunedModels/{id})', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let ai: GoogleGenAI;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const spec = { model: 'tuned', text: ['Hel', 'lo'] };
      if (req.url.includes('alt=sse')) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(streamAnswer('gemini.generate', spec));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jsonAnswer('gemini.generate', spec)));
    });
    gw = await startGateway(config({
      providers: `  google: { type: gemini, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: test-key }`,
      chain: '  - use: router\n    with: { routes: [{ match: "tunedModels/*", provider: google }], default: local }',
    }));
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('generateContent reaches the provider at /v1beta/tunedModels/{id}:generateContent', async () => {
    const answer = await ai.models.generateContent({ model: 'tunedModels/sentiment-7f3a', contents: 'hi' });
    expect(answer.text).to.equal('Hello');
    expect(mock.requests.at(-1)!.url).to.equal('/v1beta/tunedModels/sentiment-7f3a:generateContent');
  });

  it('generateContentStream reaches /v1beta/tunedModels/{id}:streamGenerateContent?alt=sse', async () => {
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model: 'tunedModels/sentiment-7f3a', contents: 'hi' })) text += chunk.text ?? '';
    expect(text).to.equal('Hello');
    expect(mock.requests.at(-1)!.url).to.equal('/v1beta/tunedModels/sentiment-7f3a:streamGenerateContent?alt=sse');
  });
});
