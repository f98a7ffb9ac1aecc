// Embeddings between Gemini and OpenAI, judged by both official SDKs.
import { expect } from 'chai';
import OpenAI from 'openai';
import type { JsonObject } from '../../../../core/index.js';
import {
  geminiEmbeddingsToOpenAI, geminiEmbedToOpenAI, openAIEmbeddingsToGemini, openAIEmbeddingsToGeminiRequest,
} from '../../../../plugins/translator/protocols/gemini/embeddings.js';
import { fixtureJson, genAiClient, loadGenAi, withServer } from './helpers.js';

// Values exactly representable as float32, so base64 round trips compare exactly.
const V0 = [0.5, -0.25, 0.125, 3];
const V1 = [-1, 0, 0.75, 1024.5];

const OPENAI_RESPONSE: JsonObject = {
  object: 'list',
  data: [{ object: 'embedding', index: 1, embedding: V1 }, { object: 'embedding', index: 0, embedding: V0 }],
  model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 },
};

describe('gemini embeddings: Gemini client → OpenAI upstream', () => {
  it('batchEmbedContents from @google/genai becomes one OpenAI call with a string array', () => {
    expect(geminiEmbedToOpenAI(fixtureJson('requests/sdk.genai2.batch-embed.json'), 'text-embedding-3-small', true)).to.deep.equal({
      model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float',
    });
  });

  it('embedContent with outputDimensionality and taskType (dropped)', () => {
    const body = { content: { parts: [{ text: 'hello ' }, { text: 'world' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 256 };
    expect(geminiEmbedToOpenAI(body, 'm', false)).to.deep.equal({ model: 'm', input: 'hello world', dimensions: 256, encoding_format: 'float' });
  });

  it('several parts: one input, a newline at each seam that has no whitespace, media left out', () => {
    const body: JsonObject = { content: { parts: [{ text: 'hello' }, { inlineData: { mimeType: 'image/png', data: 'AA==' } }, { text: 'world' }, { text: ' again' }] } };
    expect(geminiEmbedToOpenAI(body, 'm', false)['input']).to.equal('hello\nworld again');
  });

  it('rejects an empty batch', () => {
    expect(() => geminiEmbedToOpenAI({ requests: [] }, 'm', true)).to.throw().with.property('code', 'SLUICE_E_INVALID_REQUEST');
  });

  it('the OpenAI response becomes {embeddings} in input order, or {embedding}', () => {
    expect(openAIEmbeddingsToGemini(OPENAI_RESPONSE, true)).to.deep.equal({ embeddings: [{ values: V0 }, { values: V1 }] });
    expect(openAIEmbeddingsToGemini({ data: [{ index: 0, embedding: V1 }] }, false)).to.deep.equal({ embedding: { values: V1 } });
  });

  it('decodes a base64 OpenAI embedding too', () => {
    const b64 = Buffer.from(new Float32Array(V1).buffer).toString('base64');
    expect(openAIEmbeddingsToGemini({ data: [{ index: 0, embedding: b64 }] }, false)).to.deep.equal({ embedding: { values: V1 } });
  });

  it('@google/genai embedContent: its request translates, and it reads the translated response', async function () {
    const genai = await loadGenAi();
    if (!genai) this.skip(); // needs the @google/genai devDependency
    const body = JSON.stringify(openAIEmbeddingsToGemini(OPENAI_RESPONSE, true));
    await withServer(() => ({ contentType: 'application/json', body }), async (baseUrl, seen) => {
      const res = await genAiClient(genai, baseUrl).models.embedContent({ model: 'text-embedding-004', contents: ['a', 'b'] });
      expect(res.embeddings?.map((e) => e.values)).to.deep.equal([V0, V1]);
      expect(seen[0]?.path).to.equal('/v1beta/models/text-embedding-004:batchEmbedContents');
      const sent = JSON.parse(seen[0]?.body ?? '{}') as JsonObject;
      expect(geminiEmbedToOpenAI(sent, 'text-embedding-3-small', true)).to.deep.equal({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    });
  });
});

describe('gemini embeddings: OpenAI client → Gemini upstream', () => {
  it('an OpenAI request becomes batchEmbedContents with models/<m>', () => {
    expect(openAIEmbeddingsToGeminiRequest({ model: 'x', input: ['a', 'b'], encoding_format: 'base64', dimensions: 64, user: 'u' }, 'gemini-embedding-001')).to.deep.equal({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 64 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] }, outputDimensionality: 64 },
      ],
    });
    expect(openAIEmbeddingsToGeminiRequest({ input: 'one' }, 'models/text-embedding-004')).to.deep.equal({
      requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'one' }] } }],
    });
  });

  it('rejects token-id input, which means nothing to Gemini', () => {
    expect(() => openAIEmbeddingsToGeminiRequest({ input: [[1, 2, 3]] }, 'm')).to.throw().with.property('param', 'input');
    expect(() => openAIEmbeddingsToGeminiRequest({ input: [] }, 'm')).to.throw().with.property('code', 'SLUICE_E_INVALID_REQUEST');
  });

  it('the Gemini response becomes an OpenAI list, as floats or as little-endian float32 base64', () => {
    const gemini = { embeddings: [{ values: V0 }, { values: V1 }] };
    expect(geminiEmbeddingsToOpenAI(gemini, 'gemini-embedding-001')).to.deep.equal({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: V0 }, { object: 'embedding', index: 1, embedding: V1 }],
      model: 'gemini-embedding-001', usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    const b64 = geminiEmbeddingsToOpenAI({ embedding: { values: V0 } }, 'm', 'base64');
    expect(b64['data']).to.deep.equal([{ object: 'embedding', index: 0, embedding: 'AAAAPwAAgL4AAAA+AABAQA==' }]);
  });

  it('the openai SDK (which asks for base64 by default) reads the translated response', async () => {
    const upstream = { embeddings: [{ values: V0 }, { values: V1 }] };
    let asked: JsonObject = {};
    await withServer(
      () => ({ contentType: 'application/json', body: JSON.stringify(geminiEmbeddingsToOpenAI(upstream, 'gemini-embedding-001', asked['encoding_format'] === 'base64' ? 'base64' : 'float')) }),
      async (baseUrl) => {
        const client = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/v1`, fetch: async (url, init) => {
          asked = JSON.parse(String(init?.body)) as JsonObject;
          return fetch(url, init);
        } });
        const res = await client.embeddings.create({ model: 'gemini-embedding-001', input: ['a', 'b'] });
        expect(asked['encoding_format']).to.equal('base64');
        expect(res.data.map((d) => d.embedding)).to.deep.equal([V0, V1]);
        expect(res.model).to.equal('gemini-embedding-001');
      },
    );
  });
});
