import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { engine } from './helpers.js';
import { PresidioClient, PresidioError } from '../../../plugins/firewall/presidio-client.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';

interface Recorded { method: string; url: string; body: unknown }

/** A fake presidio-analyzer speaking its REST shapes; offsets are code points, like Python's. */
function fakeAnalyzer(behaviour: { delayMs?: number; status?: number; answer?: unknown } = {}) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ method: req.method!, url: req.url!, body });
      if (req.url === '/health') {
        res.end('Presidio Analyzer service is up');
        return;
      }
      const reply = () => {
        if (behaviour.status) {
          res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'boom' }));
          return;
        }
        if (behaviour.answer !== undefined) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(behaviour.answer));
          return;
        }
        const { text } = body as { text: string };
        if (!text) {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'No text provided' }));
          return;
        }
        const cps = [...text];
        const name = 'Maria Garcia';
        const at = text.indexOf(name);
        const results = at < 0 ? [] : [{
          entity_type: 'PERSON',
          start: [...text.slice(0, at)].length,
          end: [...text.slice(0, at)].length + name.length,
          score: 0.85,
          analysis_explanation: null,
          recognition_metadata: { recognizer_name: 'SpacyRecognizer', recognizer_identifier: 'SpacyRecognizer_1' },
        }];
        const email = text.indexOf('maria@');
        if (email >= 0) {
          const s = [...text.slice(0, email)].length;
          results.push({ entity_type: 'EMAIL_ADDRESS', start: s, end: s + 'maria@garcia.es'.length, score: 0.5, analysis_explanation: null, recognition_metadata: { recognizer_name: 'EmailRecognizer', recognizer_identifier: 'EmailRecognizer_1' } });
        }
        void cps;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
      };
      if (behaviour.delayMs) setTimeout(reply, behaviour.delayMs);
      else reply();
    });
  });
  return new Promise<{ url: string; requests: Recorded[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        requests,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

const presidioOptions = (url: string, extra: Record<string, unknown> = {}) => firewallOptions.parse({ presidio: { url, ...extra } }).presidio!;

describe('firewall Presidio sidecar client', () => {
  it('sends the analyzer request shape and converts code-point offsets to UTF-16', async () => {
    const fake = await fakeAnalyzer();
    try {
      const client = new PresidioClient(presidioOptions(fake.url, { entities: ['PERSON', 'EMAIL_ADDRESS'], score_threshold: 0.4 }));
      const text = '🙂🙂 Hello Maria Garcia!';
      const findings = await client.analyze(text);
      expect(fake.requests[0]).to.deep.equal({
        method: 'POST', url: '/analyze',
        body: { text, language: 'en', score_threshold: 0.4, entities: ['PERSON', 'EMAIL_ADDRESS'] },
      });
      const start = text.indexOf('Maria Garcia');
      expect(findings).to.deep.equal([{ type: 'PERSON', start, end: start + 12, score: 0.85, detector: 'presidio' }]);
    } finally {
      await fake.close();
    }
  });

  it('merges with built-in findings: overlaps resolved, higher score wins', async () => {
    const fake = await fakeAnalyzer();
    try {
      const e = engine({ presidio: { url: fake.url } });
      const text = '😀 Maria Garcia <maria@garcia.es>';
      const findings = await e.scanWithSidecar(text);
      expect(findings.map((f) => [f.type, text.slice(f.start, f.end), f.detector])).to.deep.equal([
        ['PERSON', 'Maria Garcia', 'presidio'],
        ['EMAIL_ADDRESS', 'maria@garcia.es', 'pii'],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('does not call the analyzer for empty text (it answers 500 "No text provided")', async () => {
    const fake = await fakeAnalyzer();
    try {
      const client = new PresidioClient(presidioOptions(fake.url));
      expect(await client.analyze('')).to.deep.equal([]);
      expect(fake.requests).to.have.length(0);
      const raw = await fetch(`${fake.url}analyze`, { method: 'POST', body: JSON.stringify({ text: '', language: 'en' }) });
      expect(raw.status).to.equal(500);
    } finally {
      await fake.close();
    }
  });

  it('reports analyzer errors and timeouts as PresidioError', async () => {
    const failing = await fakeAnalyzer({ status: 500 });
    const slow = await fakeAnalyzer({ delayMs: 300 });
    try {
      let error: unknown;
      await new PresidioClient(presidioOptions(failing.url)).analyze('hi').catch((e) => (error = e));
      expect(error).to.be.instanceOf(PresidioError).with.property('message').that.matches(/500: boom/);
      error = undefined;
      await new PresidioClient(presidioOptions(slow.url, { timeout_ms: 50 })).analyze('hi').catch((e) => (error = e));
      expect(error).to.be.instanceOf(PresidioError).with.property('message').that.matches(/timed out after 50 ms/);
    } finally {
      await failing.close();
      await slow.close();
    }
  });

  it('names types in upper snake case, so a recognizer name cannot break the header, log or metrics', async () => {
    const result = (entity_type: string) => ({ entity_type, start: 0, end: 4, score: 0.9, analysis_explanation: null, recognition_metadata: {} });
    const fake = await fakeAnalyzer({ answer: [result('person name'), result('PER\r\nX-Evil: 1'), result('US_DRIVER_LICENSE')] });
    try {
      const findings = await new PresidioClient(presidioOptions(fake.url)).analyze('John Smith');
      expect(findings.map((f) => f.type)).to.deep.equal(['PERSON_NAME', 'PER_X_EVIL_1', 'US_DRIVER_LICENSE']);
    } finally {
      await fake.close();
    }
  });

  it('an answer with a span outside the text, a fractional offset, a bad score or no name is a sidecar error', async () => {
    const text = '😀 John Smith'; // 12 code points, 13 UTF-16 units
    const bad = [
      { entity_type: 'PERSON', start: -5, end: 4, score: 0.9 },
      { entity_type: 'PERSON', start: 2, end: 13, score: 0.9 },
      { entity_type: 'PERSON', start: 8, end: 2, score: 0.9 },
      { entity_type: 'PERSON', start: 1.5, end: 4, score: 0.9 },
      { entity_type: 'PERSON', start: 2, end: 6, score: 1e308 },
      { entity_type: '', start: 2, end: 6, score: 0.9 },
      { entity_type: '--', start: 2, end: 6, score: 0.9 },
    ];
    for (const answer of bad) {
      const fake = await fakeAnalyzer({ answer: [answer] });
      try {
        let error: unknown;
        await new PresidioClient(presidioOptions(fake.url)).analyze(text).catch((e) => (error = e));
        expect(error, JSON.stringify(answer)).to.be.instanceOf(PresidioError).with.property('message').that.matches(/not a list of results/);
      } finally {
        await fake.close();
      }
    }
    const edge = await fakeAnalyzer({ answer: [{ entity_type: 'PERSON', start: 2, end: 12, score: 1 }] });
    try {
      const [finding] = await new PresidioClient(presidioOptions(edge.url)).analyze(text);
      expect(text.slice(finding!.start, finding!.end)).to.equal('John Smith');
    } finally {
      await edge.close();
    }
  });

  it('never carries a piece of the text sent in its error (the analyzer answers an exception\'s message), and cuts a long one', async () => {
    const errorOf = async (answer: string, text: string) => {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: answer })));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        let error: unknown;
        await new PresidioClient(presidioOptions(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).analyze(text).catch((e) => (error = e));
        expect(error).to.be.instanceOf(PresidioError);
        return (error as PresidioError).message;
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    };
    const quoted = await errorOf("could not parse 'my ssn is 123-45-6789' as UTF-8", 'hello, my ssn is 123-45-6789');
    expect(quoted).to.equal('presidio-analyzer answered 500: (its error text quotes the text sent: left out)');
    expect(await errorOf('No text provided\nTraceback', 'some text')).to.equal('presidio-analyzer answered 500: No text provided Traceback');
    const long = await errorOf('x'.repeat(5000), 'some text');
    expect(long).to.equal(`presidio-analyzer answered 500: ${'x'.repeat(160)}…`);
  });

  it('on_error: allow keeps built-in findings; block rejects', async () => {
    const failing = await fakeAnalyzer({ status: 503 });
    try {
      const errors: string[] = [];
      const allow = engine({ presidio: { url: failing.url, on_error: 'allow' } });
      const text = 'mail bob@corp.io';
      const { createDetectionEngine } = await import('../../../plugins/firewall/engine.js');
      const withHook = createDetectionEngine(firewallOptions.parse({ presidio: { url: failing.url } }), { onSidecarError: (e) => errors.push(e.message) });
      expect((await allow.scanWithSidecar(text)).map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS']);
      await withHook.scanWithSidecar(text);
      expect(errors).to.have.length(1);
      const block = engine({ presidio: { url: failing.url, on_error: 'block' } });
      let error: unknown;
      await block.scanWithSidecar(text).catch((e) => (error = e));
      expect(error).to.be.instanceOf(PresidioError);
    } finally {
      await failing.close();
    }
  });

  it('never follows a redirect: the text (the very values looked for) goes nowhere but the analyzer', async () => {
    const elsewhere = await fakeAnalyzer();
    const redirecting = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${elsewhere.url}${req.url!.slice(1)}` }).end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
    try {
      let error: unknown;
      await new PresidioClient(presidioOptions(url)).analyze('call Maria Garcia').catch((e) => (error = e));
      expect(error).to.be.instanceOf(PresidioError).with.property('message')
        .that.equals('presidio-analyzer answered with a redirect (HTTP 307), which Sluice does not follow; check presidio.url');
      expect(await engine({ presidio: { url } }).sidecarReady()).to.equal(false);
      expect(elsewhere.requests).to.deep.equal([]);
    } finally {
      redirecting.closeAllConnections();
      await new Promise((r) => redirecting.close(r));
      await elsewhere.close();
    }
  });

  it('sends credentials in the URL as basic auth (fetch refuses such a URL), and never puts them in an error', async () => {
    const seen: (string | undefined)[] = [];
    const guarded = createServer((req, res) => {
      req.resume();
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/health' ? '"ok"' : '[]');
    });
    await new Promise<void>((r) => guarded.listen(0, '127.0.0.1', r));
    const port = (guarded.address() as AddressInfo).port;
    try {
      expect(await new PresidioClient(presidioOptions(`http://sluice:pa%40ss-S3CRET@127.0.0.1:${port}/`)).analyze('hello')).to.deep.equal([]);
      expect(await engine({ presidio: { url: `http://sluice:pa%40ss-S3CRET@127.0.0.1:${port}` } }).sidecarReady()).to.equal(true);
      const basic = `Basic ${Buffer.from('sluice:pa@ss-S3CRET').toString('base64')}`;
      expect(seen).to.deep.equal([basic, basic]);
    } finally {
      guarded.closeAllConnections();
      await new Promise((r) => guarded.close(r));
    }
    let error: unknown;
    await new PresidioClient(presidioOptions(`http://sluice:pa%40ss-S3CRET@127.0.0.1:${port}`)).analyze('hello').catch((e) => (error = e));
    expect(error).to.be.instanceOf(PresidioError).with.property('message').that.matches(/^presidio-analyzer at http:\/\/127\.0\.0\.1:\d+ /).and.not.match(/S3CRET|sluice:/);
  });

  it('readiness via GET /health', async () => {
    const fake = await fakeAnalyzer();
    const url = fake.url;
    try {
      expect(await engine({ presidio: { url } }).sidecarReady()).to.equal(true);
      expect(fake.requests.map((r) => [r.method, r.url])).to.deep.equal([['GET', '/health']]);
    } finally {
      await fake.close();
    }
    expect(await engine({ presidio: { url, timeout_ms: 200 } }).sidecarReady()).to.equal(false);
    expect(await engine().sidecarReady()).to.equal(true);
  });
});
