// What an upstream must not pass to clients: headers naming the operator's account, the text of a
// 401 (it quotes the operator's key), and stream events too large to hold (provider max_event_size).
import { expect } from 'chai';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { chatCompletionBody, chunk, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/contract-kit.js';

const ACCOUNT_HEADERS = {
  'openai-organization': 'org-operator-secret',
  'openai-project': 'proj_operator_secret',
  'openai-processing-ms': '321',
  'openai-version': '2020-10-01',
  'x-ratelimit-remaining-requests': '4999',
  'x-request-id': 'req_upstream_1',
};

/** OpenAI's real 401 text: it quotes the tail of the key the gateway sent. */
const OPENAI_401 = {
  error: {
    message: 'Incorrect API key provided: sk-proj-********************************************wXyZ. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error', param: null, code: 'invalid_api_key',
  },
};
const ANTHROPIC_401 = { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key sk-ant-…wXyZ' } };
const GEMINI_KEY = 'AIzaSyOperator-Key_0123456789abcdefghij';
/** Google's real answers to a suspended and to an invalid key: 403 and 400, the first quoting the key. */
const GEMINI_SUSPENDED = {
  error: {
    code: 403, message: `Permission denied: Consumer 'api_key:${GEMINI_KEY}' has been suspended.`, status: 'PERMISSION_DENIED',
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONSUMER_SUSPENDED', domain: 'googleapis.com', metadata: { consumer: 'projects/895908428397', service: 'generativelanguage.googleapis.com', containerInfo: `api_key:${GEMINI_KEY}` } },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: `Permission denied: Consumer 'api_key:${GEMINI_KEY}' has been suspended.` },
    ],
  },
};
const GEMINI_INVALID = {
  error: {
    code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT',
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
    ],
  },
};
const UPSTREAM_WORDS = /Incorrect API key|wXyZ|invalid x-api-key|platform\.openai\.com/;
const REJECTED = /^provider \w+ rejected the gateway's upstream credentials/;

const unauthorized = (body: object): MockHandler => (_req, res) => {
  res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="OpenAI API"' }).end(JSON.stringify(body));
};

describe('upstream hygiene', () => {
  let up: MockUpstream;
  let gw: TestGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    up = await startMockUpstream();
    const origin = up.url.replace(/\/v1$/, '');
    gw = await startGateway(config({
      providers: [
        `  oa: { type: openai, base_url: "${up.url}", api_key: sk-proj-operator-wXyZ }`,
        `  an: { type: anthropic, base_url: "${origin}", api_key: sk-ant-operator-wXyZ }`,
        `  tiny: { type: openai, base_url: "${up.url}", api_key: k, max_event_size: 4kb }`,
        `  gm: { type: gemini, base_url: "${origin}", api_key: ${GEMINI_KEY} }`,
        `  small: { type: openai, base_url: "${up.url}", api_key: k, max_response_size: 64kb }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: an }
        - { match: "tiny-*", provider: tiny }
        - { match: "gemini-*", provider: gm }
        - { match: "small-*", provider: small }
      default: oa
  - use: translator`,
    }));
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await up.close(); });
  beforeEach(() => { up.handle(defaultHandler); });

  describe('response headers', () => {
    const withHeaders: MockHandler = (req, res) => {
      const model = String(req.body?.['model']);
      if (req.body?.['stream'] === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', ...ACCOUNT_HEADERS });
        res.write(chunk(model, { role: 'assistant', content: 'hi' }));
        res.end(chunk(model, {}, 'stop') + 'data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...ACCOUNT_HEADERS }).end(JSON.stringify(chatCompletionBody(model, 'hi')));
    };

    for (const stream of [false, true]) {
      it(`drops openai-organization and openai-project, keeps what clients use (${stream ? 'stream' : 'JSON'})`, async () => {
        up.handle(withHeaders);
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'hi' }] }),
        });
        await res.text();
        expect(res.status).to.equal(200);
        expect(res.headers.get('openai-organization')).to.equal(null);
        expect(res.headers.get('openai-project')).to.equal(null);
        expect(res.headers.get('openai-processing-ms')).to.equal('321');
        expect(res.headers.get('openai-version')).to.equal('2020-10-01');
        expect(res.headers.get('x-ratelimit-remaining-requests')).to.equal('4999');
        expect(res.headers.get('x-upstream-request-id')).to.equal('req_upstream_1');
      });
    }
  });

  describe('an upstream 429', () => {
    const limited: MockHandler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '20', 'retry-after-ms': '19500', ...ACCOUNT_HEADERS, 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' })
        .end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
    };

    it('keeps the rate-limit headers and the upstream request id a client needs to back off, not the account headers', async () => {
      up.handle(limited);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(429);
      expect((await res.json() as { error: { code: string } }).error.code).to.equal('rate_limit_exceeded');
      expect(res.headers.get('retry-after')).to.equal('20');
      // The OpenAI SDKs read retry-after-ms before retry-after.
      expect(res.headers.get('retry-after-ms')).to.equal('19500');
      expect(res.headers.get('x-ratelimit-remaining-requests')).to.equal('0');
      expect(res.headers.get('x-ratelimit-reset-requests')).to.equal('20s');
      expect(res.headers.get('x-upstream-request-id')).to.equal('req_upstream_1');
      expect(res.headers.get('openai-organization')).to.equal(null);
      expect(res.headers.get('openai-project')).to.equal(null);
    });
  });

  describe("an upstream's x-should-retry", () => {
    // OpenAI's and Anthropic's APIs say whether an error is worth retrying; both SDKs obey the
    // header before their status rules (a 500 or 529 is otherwise retried, maxRetries times).
    const refused: MockHandler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' })
        .end(JSON.stringify({ error: { message: 'this request will fail again', type: 'server_error', param: null, code: null } }));
    };

    it('reaches the client, and the openai and Anthropic SDKs, retries on, do not retry (one upstream call each)', async () => {
      up.handle(refused);
      const retrying = { openai: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 2 }), anthropic: new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 2 }) };
      let from = up.requests.length;
      const oe = await retrying.openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(oe).to.be.instanceOf(OpenAI.InternalServerError);
      expect((oe as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).to.equal('false');
      expect(up.requests.length - from).to.equal(1);
      from = up.requests.length;
      const ae = await retrying.anthropic.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(ae).to.be.instanceOf(Anthropic.InternalServerError);
      expect(up.requests.length - from).to.equal(1);
    });
  });

  describe('an upstream 401', () => {
    it('reaches an OpenAI client as a 401 in its envelope, in Sluice’s words only', async () => {
      up.handle(unauthorized(OPENAI_401));
      const raw = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const text = await raw.text();
      expect(raw.status).to.equal(401);
      expect(text).not.to.match(UPSTREAM_WORDS);
      expect(raw.headers.get('www-authenticate')).to.equal(null);
      const body = JSON.parse(text) as { error: { message: string; type: string } };
      expect(body.error.type).to.equal('authentication_error');
      expect(body.error.message).to.match(REJECTED);

      const err = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.AuthenticationError);
      expect((err as InstanceType<typeof OpenAI.AuthenticationError>).message).to.match(/rejected the gateway's upstream credentials/).and.not.match(UPSTREAM_WORDS);
    });

    it('reaches an Anthropic client the same way, from an Anthropic upstream (same family) or a translated one', async () => {
      for (const [model, body] of [['claude-x', ANTHROPIC_401], ['gpt-4o', OPENAI_401]] as const) {
        up.handle(unauthorized(body));
        const err = await anthropic.messages.create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect(err, model).to.be.instanceOf(Anthropic.AuthenticationError);
        const e = err as InstanceType<typeof Anthropic.AuthenticationError>;
        expect(e.status).to.equal(401);
        expect(JSON.stringify(e.error)).not.to.match(UPSTREAM_WORDS);
        expect((e.error as { error: { type: string; message: string } }).error).to.deep.include({ type: 'authentication_error' });
        expect((e.error as { error: { message: string } }).error.message, model).to.match(REJECTED);
      }
    });
  });

  describe('an upstream refusing the operator’s key with 400 or 403 (Google)', () => {
    for (const [status, body] of [[403, GEMINI_SUSPENDED], [400, GEMINI_INVALID]] as const) {
      it(`keeps the status (${status}) but neither the key nor Google’s words, natively and translated`, async () => {
        up.handle((_req, res) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); });
        const gemini = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gw.url } });
        const native = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }).catch((e: unknown) => e);
        expect(native).to.be.instanceOf(ApiError);
        expect((native as ApiError).status).to.equal(status);
        expect((native as ApiError).message).to.match(/provider gm rejected the gateway's upstream credentials/)
          .and.not.match(/AIzaSy|suspended|not valid/);
        const translated = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect(translated).to.be.instanceOf(OpenAI.APIError);
        expect((translated as InstanceType<typeof OpenAI.APIError>).status).to.equal(status);
        expect(JSON.stringify((translated as InstanceType<typeof OpenAI.APIError>).error)).to.match(/rejected the gateway's upstream credentials/).and.not.match(/AIzaSy/);
      });
    }
  });

  describe('an upstream error quoting the operator’s key', () => {
    it('reaches the client with the key cut out, the rest of its text kept', async () => {
      up.handle((_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'bad request from key sk-proj-operator-wXyZ: max_tokens too large', type: 'invalid_request_error', param: 'max_tokens', code: null } }));
      });
      const err = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).to.include('bad request from key [redacted]: max_tokens too large').and.not.include('operator-wXyZ');
      const translated = await anthropic.messages.create({ model: 'gpt-4o', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(translated).to.be.instanceOf(Anthropic.BadRequestError);
      expect(JSON.stringify((translated as InstanceType<typeof Anthropic.BadRequestError>).error)).to.include('[redacted]').and.not.include('operator-wXyZ');
    });
  });

  describe('an upstream redirect', () => {
    let elsewhere: MockUpstream;
    before(async () => { elsewhere = await startMockUpstream(); });
    after(async () => { await elsewhere.close(); });

    /** What a moved endpoint, or a compromised OpenAI-compatible one, answers: go and ask elsewhere. */
    const redirecting = (status: number): MockHandler => (req, res) => {
      res.writeHead(status, { location: `${elsewhere.url}/chat/completions`, 'content-type': 'application/json' })
        .end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'the redirect’s own body')));
    };

    for (const status of [301, 302, 307, 308]) {
      it(`is neither followed nor passed on: HTTP ${status} is a 502 saying so, and the key goes nowhere else`, async () => {
        up.handle(redirecting(status));
        for (const stream of [false, true]) {
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'hi' }] }),
          });
          const text = await res.text();
          expect(res.status, text).to.equal(502);
          expect(res.headers.get('location')).to.equal(null);
          expect((JSON.parse(text) as { error: { message: string } }).error.message)
            .to.equal(`provider oa answered with a redirect (HTTP ${status}), which Sluice does not follow; check its base_url`);
        }
        const err = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(OpenAI.InternalServerError);
        const translated = await anthropic.messages.create({ model: 'gpt-4o', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect(translated).to.be.instanceOf(Anthropic.InternalServerError);
        expect(elsewhere.requests).to.deep.equal([]);
      });
    }
  });

  describe('an answer larger than max_response_size', () => {
    /** A JSON answer of `size` bytes of content, written as the socket takes it; stops when the gateway hangs up. */
    const answerOf = (size: number, status = 200): MockHandler => (req, res) => {
      const model = String(req.body?.['model']);
      const [head, tail] = JSON.stringify(chatCompletionBody(model, '@')).split('@') as [string, string];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.write(head);
      let left = size;
      const piece = 'A'.repeat(16 * 1024);
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          left -= piece.length;
          if (!res.write(piece.slice(0, Math.max(0, piece.length + Math.min(0, left))))) { res.once('drain', pump); return; }
        }
        if (!res.destroyed) res.end(tail);
      };
      pump();
    };

    it('is cut as it arrives, never held whole: a 502 naming the limit, the upstream connection dropped', async () => {
      up.handle(answerOf(200 * 1024 * 1024));
      const aborted = up.aborted;
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'small-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(502);
      expect(((await res.json()) as { error: { message: string } }).error.message)
        .to.equal('provider small sent an answer larger than 64 KiB (max_response_size); it was cut');
      await waitFor(() => (up.aborted > aborted ? true : undefined), 'the upstream connection to drop');
      const err = await openai.chat.completions.create({ model: 'small-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.InternalServerError);
    });

    it('bounds an error body too, keeping the upstream status', async () => {
      up.handle(answerOf(50 * 1024 * 1024, 500));
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'small-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(500);
      expect(((await res.json()) as { error: { message: string } }).error.message).to.equal('provider small answered HTTP 500');
    });

    it('passes an answer under the limit untouched', async () => {
      up.handle(answerOf(60 * 1024));
      const answer = await openai.chat.completions.create({ model: 'small-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(answer.choices[0]!.message.content).to.have.length(60 * 1024);
    });
  });

  describe('an oversized stream event (max_event_size)', () => {
    /** A stream whose second event carries `size` characters of content. */
    const bigSecondEvent = (size: number): MockHandler => (req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: 'Hel' }));
      const big = chunk(model, { content: 'A'.repeat(size) });
      // Socket-sized pieces, so the decoder sees the line grow across chunks.
      for (let i = 0; i < big.length; i += 1000) res.write(big.slice(i, i + 1000));
      res.end(chunk(model, {}, 'stop') + 'data: [DONE]\n\n');
    };

    it('ends an OpenAI stream with the in-stream error naming the provider and the limit', async () => {
      up.handle(bigSecondEvent(10_000));
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(200);
      const frames = (await res.text()).split('\n\n').filter((f) => f.startsWith('data: ')).map((f) => f.slice(6));
      expect(frames).not.to.include('[DONE]');
      expect((JSON.parse(frames[0]!) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content).to.equal('Hel');
      const last = JSON.parse(frames.at(-1)!) as { error: { message: string; type: string } };
      expect(last.error).to.deep.include({ type: 'api_error', message: 'provider tiny sent a stream event larger than 4 KiB (max_event_size); the stream was cut' });

      const stream = await openai.chat.completions.create({ model: 'tiny-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const err = await (async () => { for await (const _ of stream) { /* drain */ } })().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.APIError);
      expect((err as Error).message).to.include('larger than 4 KiB (max_event_size)');
    });

    it('ends an Anthropic client’s translated stream with its error event', async () => {
      up.handle(bigSecondEvent(10_000));
      const stream = anthropic.messages.stream({ model: 'tiny-model', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
      const err = await stream.finalMessage().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(Anthropic.APIError);
      expect((err as Error).message).to.include('provider tiny sent a stream event larger than 4 KiB');
    });

    it('is an HTTP 502 when the oversized event is the first one', async () => {
      up.handle((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(chunk(String(req.body?.['model']), { content: 'B'.repeat(10_000) }));
      });
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(502);
      expect(((await res.json()) as { error: { message: string } }).error.message).to.match(/^provider tiny sent a stream event larger than 4 KiB/);
    });

    it('passes events under the limit untouched', async () => {
      up.handle(bigSecondEvent(2000));
      const stream = await openai.chat.completions.create({ model: 'tiny-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).to.equal('Hel' + 'A'.repeat(2000));
    });
  });
});
