// Beyond generation, across families: token counts (real where the upstream counts, estimated and
// flagged otherwise), model listings in each SDK's shape, and embeddings OpenAI ⇄ Gemini — each
// judged by the official SDK, with gateway B (loopback) as the upstream over real HTTP.
import { expect } from 'chai';
import { anthropicClient, genaiClient, modelFor, openaiClient, startRig, type Rig } from '../helpers/translation-rig.js';

const MESSAGES = [{ role: 'user' as const, content: 'count these words for me, all of them, please' }];

describe('translation extras: counts, model lists, embeddings', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(async () => { await rig.close(); });

  describe('anthropic messages.countTokens', () => {
    it('to a non-Anthropic upstream without a count endpoint: a positive estimate, flagged', async () => {
      rig.mark();
      const { data, response } = await anthropicClient(rig.a.url).messages.countTokens({ model: modelFor('openai.chat'), messages: MESSAGES }).withResponse();
      expect(data.input_tokens).to.be.a('number').and.greaterThan(0);
      expect(response.headers.get('x-sluice-token-count')).to.equal('estimated');
      expect(await rig.upstreamEndpoints(), 'no upstream call').to.deep.equal([]);
    });

    it('to an Anthropic upstream: passed through (the upstream counts)', async () => {
      const direct = await anthropicClient(rig.b.url).messages.countTokens({ model: 'loopback', messages: MESSAGES });
      rig.mark();
      const { data, response } = await anthropicClient(rig.a.url).messages.countTokens({ model: modelFor('anthropic.messages'), messages: MESSAGES }).withResponse();
      expect(data.input_tokens).to.equal(direct.input_tokens);
      expect(response.headers.get('x-sluice-token-count')).to.equal(null);
      expect(await rig.upstreamEndpoints()).to.deep.equal(['anthropic.count_tokens']);
    });

    it('to a Gemini upstream: counted by the upstream across families', async () => {
      rig.mark();
      const { data, response } = await anthropicClient(rig.a.url).messages.countTokens({ model: modelFor('gemini.generate'), messages: MESSAGES }).withResponse();
      expect(data.input_tokens).to.be.greaterThan(0);
      expect(response.headers.get('x-sluice-token-count')).to.equal(null);
      expect(await rig.upstreamEndpoints()).to.deep.equal(['gemini.count_tokens']);
    });
  });

  describe('genai models.countTokens', () => {
    const contents = 'count these words for me, all of them, please';
    it('to a Gemini upstream: passed through', async () => {
      const direct = await genaiClient(rig.b.url).models.countTokens({ model: 'loopback', contents });
      rig.mark();
      const r = await genaiClient(rig.a.url).models.countTokens({ model: modelFor('gemini.generate'), contents });
      expect(r.totalTokens).to.equal(direct.totalTokens);
      expect(await rig.upstreamEndpoints()).to.deep.equal(['gemini.count_tokens']);
    });
    it('to an Anthropic upstream: counted there', async () => {
      rig.mark();
      const r = await genaiClient(rig.a.url).models.countTokens({ model: modelFor('anthropic.messages'), contents });
      expect(r.totalTokens).to.be.a('number').and.greaterThan(0);
      expect(await rig.upstreamEndpoints()).to.deep.equal(['anthropic.count_tokens']);
    });
    it('to an OpenAI upstream: estimated', async () => {
      rig.mark();
      const r = await genaiClient(rig.a.url).models.countTokens({ model: modelFor('openai.chat'), contents });
      expect(r.totalTokens).to.be.a('number').and.greaterThan(0);
      expect(r.sdkHttpResponse?.headers?.['x-sluice-token-count']).to.equal('estimated');
      expect(await rig.upstreamEndpoints(), 'no upstream call').to.deep.equal([]);
    });
  });

  describe('model listings in every SDK', () => {
    const EXPECTED = ['loopback', 'loopback-embed', 'via-openai-chat', 'via-openai-responses', 'via-anthropic-messages', 'via-gemini-generate', 'embed-via-openai', 'embed-via-gemini'];
    it('openai client.models.list()', async () => {
      const ids: string[] = [];
      for await (const m of openaiClient(rig.a.url).models.list()) ids.push(m.id);
      expect(ids).to.have.members(EXPECTED);
    });
    it('anthropic client.models.list()', async () => {
      const ids: string[] = [];
      for await (const m of anthropicClient(rig.a.url).models.list()) ids.push(m.id);
      expect(ids).to.have.members(EXPECTED);
    });
    it('genai ai.models.list()', async () => {
      const names: string[] = [];
      for await (const m of await genaiClient(rig.a.url).models.list()) names.push(m.name ?? '');
      expect(names).to.have.members(EXPECTED.map((id) => `models/${id}`));
    });
  });

  describe('embeddings OpenAI ⇄ Gemini', () => {
    it('openai embeddings.create to a Gemini upstream equals what Gemini returns directly', async () => {
      rig.mark();
      const r = await openaiClient(rig.a.url).embeddings.create({ model: 'embed-via-gemini', input: ['hello', 'world'] });
      expect(await rig.upstreamEndpoints()).to.deep.equal(['gemini.embed']);
      const direct = await genaiClient(rig.b.url).models.embedContent({ model: 'loopback-embed', contents: ['hello', 'world'] });
      expect(r.data.map((d) => d.index)).to.deep.equal([0, 1]);
      expect(r.model).to.equal('embed-via-gemini');
      r.data.forEach((d, i) => {
        const want = direct.embeddings![i]!.values!;
        expect(d.embedding).to.have.length(want.length);
        d.embedding.forEach((v, j) => expect(v).to.be.closeTo(want[j]!, 1e-6));
      });
    });

    it('genai embedContent (single and batch) to an OpenAI upstream equals what OpenAI returns directly', async () => {
      const direct = await openaiClient(rig.b.url).embeddings.create({ model: 'loopback-embed', input: ['hello', 'world'], encoding_format: 'float' });
      for (const contents of ['hello', ['hello', 'world']]) {
        rig.mark();
        const r = await genaiClient(rig.a.url).models.embedContent({ model: 'embed-via-openai', contents });
        expect(await rig.upstreamEndpoints()).to.deep.equal(['openai.embeddings']);
        const n = Array.isArray(contents) ? 2 : 1;
        expect(r.embeddings, `embeddings for ${JSON.stringify(contents)}`).to.have.length(n);
        r.embeddings!.forEach((e, i) => {
          const want = direct.data[i]!.embedding;
          expect(e.values).to.have.length(want.length);
          e.values!.forEach((v, j) => expect(v).to.be.closeTo(want[j]!, 1e-6));
        });
      }
    });
  });
});
