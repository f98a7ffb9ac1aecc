// A Gemini embedContent content of several text parts is one text to embed (Google answers one
// embedding for the content). Towards an OpenAI embeddings model the parts become one `input`
// string, a newline between them so words at the seams do not run together ("hello" + "world"
// is not "helloworld"); parts without text (an image the target cannot embed) add nothing.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { genaiClient } from '../helpers/translation-rig.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

describe('translation: Gemini embeddings of several parts towards OpenAI', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: `  up-chat: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat, openai.embeddings] }`,
      chain: '  - use: router\n    with: { default: up-chat }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const sent = (): unknown => up.requests[up.requests.length - 1]!.body!['input'];

  it('@google/genai embedContent (sent as batchEmbedContents): one input, the parts on lines of their own', async () => {
    const r = await genaiClient(gw.url).models.embedContent({
      model: 'text-embedding-3-small',
      contents: { parts: [{ text: 'hello' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { text: 'world' }] },
    });
    expect(sent()).to.deep.equal(['hello\nworld']);
    expect(r.embeddings).to.have.length(1);
  });

  it('embedContent: one input string', async () => {
    const res = await fetch(`${gw.url}/v1beta/models/text-embedding-3-small:embedContent`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'hello' }, { text: 'world' }] } }),
    });
    expect(res.status).to.equal(200);
    expect(sent()).to.equal('hello\nworld');
  });

  it('batchEmbedContents: one input per request, each request\'s parts joined the same way', async () => {
    const res = await fetch(`${gw.url}/v1beta/models/text-embedding-3-small:batchEmbedContents`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [
        { model: 'models/text-embedding-3-small', content: { parts: [{ text: 'the quick' }, { text: 'brown fox' }] } },
        { model: 'models/text-embedding-3-small', content: { parts: [{ text: 'single' }] } },
      ] }),
    });
    expect(res.status).to.equal(200);
    expect(sent()).to.deep.equal(['the quick\nbrown fox', 'single']);
    expect(((await res.json()) as { embeddings: unknown[] }).embeddings).to.have.length(2);
  });
});
