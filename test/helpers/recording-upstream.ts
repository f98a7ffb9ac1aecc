// A mock upstream for every family at one origin that records each request's raw bytes (so tests
// can assert a body went upstream byte for byte) and answers in the family's own wire format:
// JSON or SSE as the request asked, embeddings too. Tests may replace the answer.
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embeddingAnswer, jsonAnswer, streamAnswer, type AnswerSpec } from './family-answers.js';
import { protocolOfPath } from './family-wire.js';

export interface RawRecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: Buffer;
  /** Its parse (undefined when empty or not JSON). */
  body: Record<string, unknown> | undefined;
}

export type RawHandler = (req: RawRecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface RecordingUpstream {
  /** http://127.0.0.1:PORT (providers add their own path: /v1 for OpenAI). */
  origin: string;
  requests: RawRecordedRequest[];
  /** What generation requests are answered with (the model name is the request's). */
  answer: Omit<AnswerSpec, 'model'>;
  /** Replaces the whole handler for the next requests; `handle()` restores the default. */
  handle(handler?: RawHandler): void;
  close(): Promise<void>;
}

export function isStreamRequest(req: RawRecordedRequest): boolean {
  return req.url.includes(':streamGenerateContent') || req.body?.['stream'] === true;
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const requests: RawRecordedRequest[] = [];
  const state: { answer: Omit<AnswerSpec, 'model'>; handler: RawHandler | undefined } = { answer: { text: ['Hello', ' world'] }, handler: undefined };

  const defaultHandler: RawHandler = (req, res) => {
    if (/\/embeddings$|:embedContent$|:batchEmbedContents$/.test(req.url)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(embeddingAnswer(req.url, req.body)));
      return;
    }
    const protocol = protocolOfPath(req.url);
    const model = typeof req.body?.['model'] === 'string' ? req.body['model'] : /models\/([^:/]+):/.exec(req.url)?.[1] ?? 'mock';
    const spec = { ...state.answer, model };
    if (isStreamRequest(req)) {
      const includeUsage = (req.body?.['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(streamAnswer(protocol, spec, { includeUsage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jsonAnswer(protocol, spec)));
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    let body: Record<string, unknown> | undefined;
    try { body = raw.length ? JSON.parse(raw.toString('utf8')) as Record<string, unknown> : undefined; } catch { body = undefined; }
    const rec: RawRecordedRequest = { method: req.method!, url: req.url!, headers: req.headers, raw, body };
    requests.push(rec);
    try {
      await (state.handler ?? defaultHandler)(rec, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`mock failed: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get answer() { return state.answer; },
    set answer(a) { state.answer = a; },
    handle: (h) => { state.handler = h; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
