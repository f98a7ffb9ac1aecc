// A gateway with no authentication listens on loopback only — but a web page anywhere can reach a
// loopback address: it rebinds its own host name to 127.0.0.1 (DNS rebinding), and the browser then
// treats the gateway as the page's own origin and lets it read the answers. Browsers name the page
// in `Origin`; SDKs and CLIs send none. So without authentication the data plane answers a page only
// from this machine.
import { expect } from 'chai';
import http from 'node:http';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

interface Answer { status: number; body: string }

function post(gw: TestGateway, path: string, body: object, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const CALLS: [string, object][] = [
  ['/v1/chat/completions', { model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/messages', { model: 'loopback', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1beta/models/loopback:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }],
];

describe('an unauthenticated gateway and web pages (DNS rebinding)', () => {
  describe('no auth plugin', () => {
    let gw: TestGateway;
    before(async () => { gw = await startGateway(config()); });
    after(async () => { await gw.close(); });

    it('refuses a page from elsewhere with a 403 in each protocol’s envelope, before any model answers', async () => {
      const port = new URL(gw.url).port;
      for (const origin of [`http://attacker.example:${port}`, 'https://evil.test', 'http://192.168.1.20:8081', 'http://127.0.0.1.nip.io']) {
        for (const [path, body] of CALLS) {
          const res = await post(gw, path, body, { origin, host: `localhost:${port}` }); // a rebound name in Host is refused on its own (unauthenticated-hosts)
          expect(res.status, `${origin} ${path}`).to.equal(403);
          expect(res.body).to.match(/not on this machine/).and.not.match(/Loopback reply/);
        }
      }
      const openai = JSON.parse((await post(gw, CALLS[0]![0], CALLS[0]![1], { origin: 'https://evil.test' })).body) as { error: { type: string; code: string } };
      expect(openai.error).to.deep.include({ type: 'permission_error', code: 'SLUICE_E_FORBIDDEN' });
      const anthropic = JSON.parse((await post(gw, CALLS[1]![0], CALLS[1]![1], { origin: 'https://evil.test' })).body) as { type: string; error: { type: string } };
      expect(anthropic).to.deep.include({ type: 'error' });
      expect(anthropic.error.type).to.equal('permission_error');
      const gemini = JSON.parse((await post(gw, CALLS[2]![0], CALLS[2]![1], { origin: 'https://evil.test' })).body) as { error: { status: string; code: number } };
      expect(gemini.error).to.deep.include({ status: 'PERMISSION_DENIED', code: 403 });
    });

    it('answers pages on this machine, extensions, webviews and opaque origins, and clients that send no Origin (SDKs, CLIs)', async () => {
      for (const origin of ['http://localhost:3000', 'http://127.0.0.1:8081', 'http://[::1]:5173', 'http://app.localhost', 'chrome-extension://abcdefghijklmnop', 'vscode-webview://1234', 'null']) {
        for (const [path, body] of CALLS) expect((await post(gw, path, body, { origin })).status, `${origin} ${path}`).to.equal(200);
      }
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
      expect(answer.choices[0]!.message.content).to.match(/Loopback reply/);
    });

    it('refuses an opaque origin (a sandboxed frame or data: document any site can make) what it does without CORS: a WebSocket, a POST with no content type', async () => {
      // A no-cors fetch of a Blob sends no content type and needs no preflight: blind, but answered
      // with the operator's keys. With a JSON content type the browser would have asked first.
      const untyped = await new Promise<Answer>((resolve, reject) => {
        const req = http.request(`${gw.url}${CALLS[0]![0]}`, { method: 'POST', headers: { origin: 'null' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(CALLS[0]![1]));
      });
      expect(untyped.status).to.equal(403);
      expect(untyped.body).to.match(/not on this machine/).and.not.match(/Loopback reply/);
      // A WebSocket has no CORS: the page would read every answer.
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`, { origin: 'null' });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode!); res.resume(); });
        ws.on('open', () => { resolve(101); ws.close(); });
        ws.on('error', () => undefined);
      });
      expect(status).to.equal(403);
      // Clients that send no Origin (Codex) still open it.
      const codex = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`);
      await new Promise<void>((resolve, reject) => { codex.on('open', () => { codex.close(); resolve(); }); codex.on('error', reject); });
    });

    it('still answers probes for any origin (they hold nothing a page could use)', async () => {
      const res = await fetch(`${gw.url}/health`, { headers: { origin: 'https://evil.test' } });
      expect(res.status).to.equal(200);
    });
  });

  describe('when the operator opened the gateway on purpose or it authenticates', () => {
    /** The status a page from elsewhere gets from a gateway with this config. */
    async function foreignPageStatus(yaml: string): Promise<number> {
      const gw = await startGateway(yaml);
      try {
        return (await post(gw, CALLS[0]![0], CALLS[0]![1], { origin: 'https://evil.test' })).status;
      } finally {
        await gw.close();
      }
    }

    it('allow_unauthenticated_remote: true serves any origin', async () => {
      expect(await foreignPageStatus(config({ server: '  shutdown_grace_ms: 200\n  allow_unauthenticated_remote: true\n' }))).to.equal(200);
    });

    it('with auth the key decides: a page from elsewhere without one gets the 401, not this 403', async () => {
      expect(await foreignPageStatus(config({ chain: '  - use: auth\n    with: { mode: api_key }\n  - use: router\n    with: { default: local }' }))).to.equal(401);
    });
  });
});
