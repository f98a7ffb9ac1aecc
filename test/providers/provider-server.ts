// A tiny HTTP front for one provider, so the official SDKs can judge what provider.send returns:
// it maps each SDK's URL to a protocol, calls send, and writes JSON or SSE with core's encoder.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody, toGatewayError } from '../../core/errors.js';
import type { UpstreamRequest } from '../../core/exchange.js';
import { encodeSseEvent } from '../../core/protocols/sse.js';
import { decodeSse } from '../../core/protocols/sse-events.js';
import { parseProtocolName, type JsonObject, type ProtocolName, type StreamEvent } from '../../core/protocols/types.js';
import type { Provider } from '../../core/providers/provider.js';

const GEMINI_METHODS: Record<string, { protocol: ProtocolName; stream: boolean }> = {
  generateContent: { protocol: 'gemini.generate', stream: false },
  streamGenerateContent: { protocol: 'gemini.generate', stream: true },
  countTokens: { protocol: 'gemini.count_tokens', stream: false },
  embedContent: { protocol: 'gemini.embed', stream: false },
  batchEmbedContents: { protocol: 'gemini.embed', stream: false },
};

const PATHS: Record<string, ProtocolName> = {
  '/v1/chat/completions': 'openai.chat',
  '/v1/responses': 'openai.responses',
  '/v1/embeddings': 'openai.embeddings',
  '/v1/messages': 'anthropic.messages',
  '/v1/messages/count_tokens': 'anthropic.count_tokens',
};

function route(path: string, body: JsonObject): UpstreamRequest | undefined {
  const gemini = /^\/v1beta\/models\/([^:]+):(\w+)$/.exec(path);
  if (gemini) {
    const m = GEMINI_METHODS[gemini[2]!];
    return m && { protocol: parseProtocolName(m.protocol), body, stream: m.stream, model: decodeURIComponent(gemini[1]!) };
  }
  const name = PATHS[path];
  return name && { protocol: parseProtocolName(name), body, stream: body['stream'] === true, model: String(body['model'] ?? '') };
}

export interface ProviderServer {
  url: string;
  close(): Promise<void>;
}

export async function serveProvider(provider: Provider): Promise<ProviderServer> {
  let n = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as JsonObject;
    const request = route(new URL(req.url!, 'http://x').pathname, body);
    if (!request) { res.writeHead(404).end(); return; }
    try {
      const response = await provider.send(request, { signal: new AbortController().signal, requestId: `req-${++n}`, forwardHeaders: req.headers });
      if (response.kind === 'json') {
        res.writeHead(response.status, { 'content-type': 'application/json' }).end(JSON.stringify(response.body));
        return;
      }
      res.writeHead(response.status, { 'content-type': 'text/event-stream' });
      for await (const ev of response.events) res.write(encodeSseEvent(ev));
      if (request.protocol.family === 'openai' && request.protocol.operation === 'chat') res.write('data: [DONE]\n\n');
      res.end();
    } catch (err) {
      const e = toGatewayError(err);
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(e, request.protocol.family)));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** POSTs JSON; for SSE answers returns the parsed events, else the parsed body. */
export async function post(url: string, body: unknown): Promise<{ status: number; json?: JsonObject; events?: StreamEvent[] }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!String(res.headers.get('content-type')).includes('text/event-stream')) return { status: res.status, json: (await res.json()) as JsonObject };
  const events: StreamEvent[] = [];
  for await (const ev of decodeSse(res.body!)) events.push(ev);
  return { status: res.status, events };
}
