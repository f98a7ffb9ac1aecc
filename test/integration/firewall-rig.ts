// The firewall rig: gateway A (firewall → router → translator) reaches gateway B (loopback, passthrough
// only) through a recording proxy, the judge of what the provider saw: every request body crosses it
// as the exact bytes A sent. The proxy can also answer by itself (scripted streams), so a test can
// put a placeholder wherever it likes in an answer. Clients are the official SDKs.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { GENERATE, modelFor, type GenProtocol } from '../helpers/translation-rig.js';

export interface Recorded {
  method: string;
  url: string;
  /** The body exactly as gateway A sent it. */
  body: string;
}

export type Script = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface RecordingProxy {
  url: string;
  requests: Recorded[];
  /** Answer by this script instead of forwarding to gateway B (until `forward()`). */
  script(handler: Script): void;
  forward(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: Recorded[] = [];
  let handler: Script | undefined;
  const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const rec: Recorded = { method: req.method!, url: req.url!, body: body.toString('utf8') };
    requests.push(rec);
    if (handler) { await handler(rec, res); return; }
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (h) => { handler = h; },
    forward: () => { handler = undefined; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Providers reaching the proxy in each protocol family (as translation-rig's, but through the proxy). */
function providers(origin: string): string {
  return [
    `  up-chat: { type: openai, base_url: "${origin}/v1", api_key: test-key, protocols: [openai.chat, openai.embeddings] }`,
    `  up-responses: { type: openai, base_url: "${origin}/v1", api_key: test-key, protocols: [openai.responses] }`,
    `  up-anthropic: { type: anthropic, base_url: "${origin}", api_key: test-key }`,
    `  up-gemini: { type: gemini, base_url: "${origin}", api_key: test-key }`,
  ].join('\n');
}

const PROVIDER: Record<GenProtocol, string> = {
  'openai.chat': 'up-chat', 'openai.responses': 'up-responses', 'anthropic.messages': 'up-anthropic', 'gemini.generate': 'up-gemini',
};

/** The model name that reaches the proxy unrenamed in protocol p (the client's bytes can go upstream as sent). */
export function exactModel(p: GenProtocol): string {
  return `exact-${p.replace('.', '-')}`;
}

export interface FirewallGateway {
  gateway: TestGateway;
  proxy: RecordingProxy;
  close(): Promise<void>;
}

export interface FirewallRig {
  b: TestGateway;
  proxy: RecordingProxy;
  /** Starts a gateway A with this `with:` block (YAML flow mapping) for the firewall. */
  gateway(firewallWith: string): Promise<TestGateway>;
  close(): Promise<void>;
}

export async function startFirewallRig(): Promise<FirewallRig> {
  const b = await startGateway(config({ chain: '  - use: router\n    with: { default: local, mode: passthrough }' }));
  const proxy = await startRecordingProxy(b.url);
  const started: TestGateway[] = [];
  return {
    b, proxy,
    async gateway(firewallWith) {
      const a = await startGateway(config({
        providers: providers(proxy.url),
        chain: [
          `  - use: firewall\n    with: ${firewallWith}`,
          '  - use: router\n    with:\n      routes:',
          ...GENERATE.map((p) => `        - { match: ${modelFor(p)}, provider: ${PROVIDER[p]}, model: loopback }`),
          ...GENERATE.map((p) => `        - { match: ${exactModel(p)}, provider: ${PROVIDER[p]} }`),
          '        - { match: "embed-via-openai", provider: up-chat, model: loopback-embed }',
          '        - { match: "exact-embed-openai", provider: up-chat }',
          '        - { match: "exact-embed-gemini", provider: up-gemini }',
          '        - { match: "embed-via-gemini", provider: up-gemini, model: loopback-embed }',
          '      default: local',
          '  - use: translator',
        ].join('\n'),
      }));
      started.push(a);
      return a;
    },
    async close() {
      for (const a of started) await a.close();
      await proxy.close();
      await b.close();
    },
  };
}

/** Every spelling of a value a JSON body could carry: as is, JSON-escaped, and \u-escaped. */
export function spellings(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const unicode = [...value].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  return [...new Set([value, escaped, unicode])];
}

/** The values (any spelling) that occur in `text`. */
export function leaked(text: string, values: readonly string[]): string[] {
  return values.filter((v) => spellings(v).some((s) => text.includes(s)));
}

export const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** Waits until the gateway wrote the request's log line (it is written when the response closes). */
export function settle(ms = 40): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { GENERATE, modelFor, type GenProtocol };
