// A mock OpenAI-compatible upstream speaking the exact wire format, recording what it received so
// tests can assert what the provider saw.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

export type MockHandler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface MockUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replace the answer for the next requests. */
  handle(handler: MockHandler): void;
  /** Requests whose connection closed before the response ended. */
  aborted: number;
  close(): Promise<void>;
}

export function chatCompletionBody(model: string, content: string | null, toolCalls?: unknown[]): Record<string, unknown> {
  return {
    id: 'chatcmpl-mock1', object: 'chat.completion', created: 1700000000, model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, logprobs: null, finish_reason: toolCalls ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 0 } },
  };
}

export function chunk(model: string, delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-mock1', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
}

/** Default behaviour: a JSON completion, or an SSE stream of two text deltas plus usage. */
export const defaultHandler: MockHandler = (req, res) => {
  const model = String(req.body?.['model'] ?? 'mock');
  if (req.url.endsWith('/models')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-mock', object: 'model', created: 0, owned_by: 'mock' }] }));
    return;
  }
  if (req.body?.['stream'] === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    res.write(chunk(model, { content: 'Hello' }));
    res.write(chunk(model, { content: ' world' }));
    res.write(chunk(model, {}, 'stop'));
    const opts = req.body['stream_options'] as { include_usage?: boolean } | undefined;
    if (opts?.include_usage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-mock1', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'upstream-req-1' }).end(JSON.stringify(chatCompletionBody(model, 'Hello world')));
};

export async function startMockUpstream(): Promise<MockUpstream> {
  let handler: MockHandler = defaultHandler;
  const requests: RecordedRequest[] = [];
  const state = { aborted: 0 };
  const server = http.createServer(async (raw, res) => {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const rec: RecordedRequest = { method: raw.method!, url: raw.url!, headers: raw.headers, body: text ? JSON.parse(text) : undefined };
    requests.push(rec);
    res.once('close', () => { if (!res.writableFinished) state.aborted++; });
    await handler(rec, res, raw);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    handle: (h) => { handler = h; },
    get aborted() { return state.aborted; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** For a handler: writes `text`, waiting for 'drain' when the socket is behind; false once the response closed. */
export function writeWaiting(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(!res.destroyed); };
    res.on('drain', done);
    res.on('close', done);
  });
}
