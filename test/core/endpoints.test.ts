// The endpoint table: which URL (and, for GET /v1/models, which SDK's headers) speaks which protocol.
import { expect } from 'chai';
import { familyFromPath, matchEndpoint, type EndpointRequest } from '../../core/http/endpoints.js';

function m(method: string, path: string, headers: EndpointRequest['headers'] = {}, query: EndpointRequest['query'] = {}) {
  return matchEndpoint({ method, path, headers, query });
}
function id(method: string, path: string, headers: EndpointRequest['headers'] = {}, query: EndpointRequest['query'] = {}): string | undefined {
  const r = m(method, path, headers, query);
  return r && 'endpoint' in r ? r.endpoint.id : undefined;
}

describe('endpoint table', () => {
  it('maps the fixed data-plane paths of every family', () => {
    expect(id('POST', '/v1/chat/completions')).to.equal('openai.chat');
    expect(id('POST', '/v1beta/openai/chat/completions')).to.equal('openai.chat');
    expect(id('POST', '/v1/responses')).to.equal('openai.responses');
    expect(id('POST', '/v1/embeddings')).to.equal('openai.embeddings');
    expect(id('POST', '/v1/messages')).to.equal('anthropic.messages');
    expect(id('POST', '/anthropic/v1/messages')).to.equal('anthropic.messages');
    expect(id('POST', '/v1/messages/count_tokens')).to.equal('anthropic.count_tokens');
    expect(id('POST', '/anthropic/v1/messages/count_tokens')).to.equal('anthropic.count_tokens');
    expect(id('GET', '/anthropic/v1/models')).to.equal('anthropic.models');
    expect(id('GET', '/v1beta/models')).to.equal('gemini.models');
    expect(id('GET', '/v1beta/openai/models')).to.equal('openai.models');
  });

  it('tolerates a trailing slash', () => {
    expect(id('POST', '/v1/chat/completions/')).to.equal('openai.chat');
    expect(id('GET', '/v1/models/', { 'x-goog-api-key': 'k' })).to.equal('gemini.models');
  });

  it('answers a wrong method with the allowed one, and lets HEAD through on GET routes', () => {
    expect(m('GET', '/v1/chat/completions')).to.deep.equal({ methodNotAllowed: 'POST' });
    expect(m('POST', '/v1/models')).to.deep.equal({ methodNotAllowed: 'GET' });
    expect(m('GET', '/v1beta/models/gemini-pro:generateContent')).to.deep.equal({ methodNotAllowed: 'POST' });
    expect(m('DELETE', '/v1/models/gpt-4o')).to.deep.equal({ methodNotAllowed: 'GET' });
    expect(id('HEAD', '/v1/models')).to.equal('openai.models');
  });

  it('returns undefined for unknown paths and unknown Gemini methods', () => {
    expect(m('POST', '/v2/chat/completions')).to.equal(undefined);
    expect(m('POST', '/v1beta/models/gemini-pro:fineTune')).to.equal(undefined);
    expect(m('GET', '/')).to.equal(undefined);
  });

  describe('Gemini paths', () => {
    for (const version of ['v1beta', 'v1', 'v1alpha']) {
      it(`reads model and method from /${version}/models/{m}:{method}`, () => {
        expect(m('POST', `/${version}/models/gemini-2.0-flash:generateContent`)).to.deep.include({ pathModel: 'gemini-2.0-flash' });
        expect(id('POST', `/${version}/models/gemini-2.0-flash:generateContent`)).to.equal('gemini.generate');
        expect(id('POST', `/${version}/models/gemini-2.0-flash:streamGenerateContent`)).to.equal('gemini.generate.stream');
        expect(id('POST', `/${version}/models/gemini-2.0-flash:countTokens`)).to.equal('gemini.count_tokens');
        expect(id('POST', `/${version}/models/text-embedding-004:embedContent`)).to.equal('gemini.embed');
        expect(id('POST', `/${version}/models/text-embedding-004:batchEmbedContents`)).to.equal('gemini.embed');
      });
    }

    it('reads a tuned model from /v1beta/tunedModels/{id}:{method}, keeping its collection in the name', () => {
      expect(m('POST', '/v1beta/tunedModels/my-tuned-1:generateContent')).to.deep.include({ pathModel: 'tunedModels/my-tuned-1' });
      expect(id('POST', '/v1/tunedModels/my-tuned-1:streamGenerateContent', {}, { alt: 'sse' })).to.equal('gemini.generate.stream');
      expect(m('POST', '/v1beta/models/models/gemini-x:generateContent')).to.deep.include({ pathModel: 'gemini-x' });
      expect(m('POST', '/v1beta/tunedModels/x:fineTune')).to.equal(undefined);
    });

    it('marks streamGenerateContent as streaming by path', () => {
      const r = m('POST', '/v1beta/models/x:streamGenerateContent');
      expect(r && 'endpoint' in r && r.endpoint.streamByPath).to.equal(true);
    });

    it('frames streamGenerateContent as SSE only when alt=sse asks for it, as Google does', () => {
      const framing = (query: EndpointRequest['query'], method = 'streamGenerateContent') => {
        const r = m('POST', `/v1beta/models/x:${method}`, {}, query);
        return r && 'endpoint' in r ? r.endpoint.streamFraming ?? 'sse' : 'no endpoint';
      };
      expect(framing({ alt: 'sse' })).to.equal('sse');
      expect(framing({ $alt: 'sse' }), 'the $-spelling of the system parameter').to.equal('sse');
      expect(framing({}), 'no alt: the REST default').to.equal('json-array');
      expect(framing({ alt: 'json' })).to.equal('json-array');
      expect(framing({ alt: 'nonsense', key: 'k' })).to.equal('json-array');
      expect(framing({}, 'generateContent'), 'not a stream').to.equal('sse');
      // The same endpoint otherwise: its id (logs, metrics) and protocol do not depend on the framing.
      const array = m('POST', '/v1beta/models/x:streamGenerateContent');
      const sse = m('POST', '/v1beta/models/x:streamGenerateContent', {}, { alt: 'sse' });
      const { streamFraming, ...rest } = array && 'endpoint' in array ? array.endpoint : { streamFraming: undefined };
      expect(streamFraming).to.equal('json-array');
      expect(rest).to.deep.equal(sse && 'endpoint' in sse ? sse.endpoint : undefined);
    });

    it('decodes percent-encoded model names and keeps slashes in them', () => {
      expect(m('POST', '/v1beta/models/my%20model:generateContent')).to.deep.include({ pathModel: 'my model' });
      expect(m('POST', '/v1beta/models/org/model-1:generateContent')).to.deep.include({ pathModel: 'org/model-1' });
    });
  });

  describe('GET /v1/models, shared by three SDKs', () => {
    it('is the Gemini list when the Gemini SDK\'s key is present (header or ?key=)', () => {
      expect(id('GET', '/v1/models', { 'x-goog-api-key': 'k' })).to.equal('gemini.models');
      expect(id('GET', '/v1/models', {}, { key: 'k' })).to.equal('gemini.models');
    });
    it('is the Anthropic list when anthropic-version is present', () => {
      expect(id('GET', '/v1/models', { 'anthropic-version': '2023-06-01', 'x-api-key': 'k' })).to.equal('anthropic.models');
    });
    it('is the OpenAI list otherwise', () => {
      expect(id('GET', '/v1/models', { authorization: 'Bearer k' })).to.equal('openai.models');
      expect(id('GET', '/v1/models')).to.equal('openai.models');
    });
    it('applies the same rules to GET /v1/models/{id}', () => {
      expect(m('GET', '/v1/models/gpt-4o')).to.deep.include({ pathModel: 'gpt-4o' });
      expect(id('GET', '/v1/models/gpt-4o')).to.equal('openai.models');
      expect(id('GET', '/v1/models/claude-x', { 'anthropic-version': '2023-06-01' })).to.equal('anthropic.models');
      expect(id('GET', '/v1/models/gemini-x', { 'x-goog-api-key': 'k' })).to.equal('gemini.models');
      expect(id('GET', '/v1/models/gemini-x', {}, { key: 'k' })).to.equal('gemini.models');
    });
    it('knows each family\'s own spelling of one model', () => {
      expect(m('GET', '/anthropic/v1/models/claude-x')).to.deep.include({ pathModel: 'claude-x' });
      expect(id('GET', '/anthropic/v1/models/claude-x')).to.equal('anthropic.models');
      expect(id('GET', '/v1beta/models/gemini-x')).to.equal('gemini.models');
      expect(m('GET', '/v1beta/models/gemini-x')).to.deep.include({ pathModel: 'gemini-x' });
      expect(id('GET', '/v1beta/openai/models/gpt-x')).to.equal('openai.models');
      expect(m('GET', '/v1beta/openai/models/gpt-x')).to.deep.include({ pathModel: 'gpt-x' });
    });
  });

  it('serves v1alpha (the @google/genai apiVersion for preview features) as Gemini: generation, the list, one model', () => {
    expect(id('POST', '/v1alpha/models/gemini-x:generateContent')).to.equal('gemini.generate');
    expect(id('GET', '/v1alpha/models')).to.equal('gemini.models');
    expect(id('GET', '/v1alpha/models/gemini-x')).to.equal('gemini.models');
    expect(m('GET', '/v1alpha/models/gemini-x')).to.deep.include({ pathModel: 'gemini-x' });
    expect(familyFromPath('/v1alpha/cachedContents')).to.equal('gemini');
  });

  it('guesses the family of unknown paths for error envelopes', () => {
    expect(familyFromPath('/anthropic/v1/nope')).to.equal('anthropic');
    expect(familyFromPath('/v1/messages/batches')).to.equal('anthropic');
    expect(familyFromPath('/v1beta/openai/nope')).to.equal('openai');
    expect(familyFromPath('/v1beta/cachedContents')).to.equal('gemini');
    expect(familyFromPath('/v1/models/x:fineTune')).to.equal('gemini');
    expect(familyFromPath('/v1/nope')).to.equal('openai');
  });
});
