// Calls to the marketplace: JSON over HTTP with the gateway's credentials on every request and a
// timeout. It never retries by itself — the push, pull and publish loops decide when to try again
// (backoff.ts), so one slow marketplace costs one timer, not a pile of retrying requests.
import { retryAfterMs as readRetryAfter } from '../../core/index.js';

export interface MarketplaceAnswer {
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
  etag: string | undefined;
  retryAfterMs: number | undefined;
}

/** A failed call: no answer (network, timeout) or an answer that is not a success. */
export class MarketplaceCallError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly retryAfterMs: number | undefined) {
    super(message);
  }
  /** The kind the operator reads in logs, metrics and `marketplace status`. */
  get result(): string {
    if (this.status === undefined) return this.message.startsWith('timeout') ? 'timeout' : 'unreachable';
    return this.status === 429 ? 'throttled' : this.status >= 500 ? 'server_error' : 'refused';
  }
}

export interface ClientConfig {
  url: string;
  apiKey: string;
  gatewayId: string;
  timeoutMs: number;
}

export interface MarketplaceClient {
  /** Resolves with any answer the caller may handle (2xx, and 304 when `okStatuses` says so); rejects otherwise. */
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts?: { body?: unknown; headers?: Record<string, string>; okStatuses?: number[] }): Promise<MarketplaceAnswer>;
}

/**
 * The most an answer may hold (a catalogue of thousands of offers is well under 1 MB): a broken or
 * hostile marketplace streaming without end would otherwise be read into memory until the process died.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

class AnswerTooLarge extends Error {}

/** The body as text, refusing (and cancelling the rest) past `limit` bytes. */
async function boundedText(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AnswerTooLarge(`answer larger than ${limit} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

export function marketplaceClient(config: () => ClientConfig): MarketplaceClient {
  return {
    async call(method, path, opts = {}) {
      const c = config();
      const headers: Record<string, string> = {
        authorization: `Bearer ${c.apiKey}`,
        'x-sluice-gateway-id': c.gatewayId,
        accept: 'application/json',
        ...opts.headers,
      };
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      let text: string;
      try {
        // redirect: 'manual' — fetch would re-send the usage batch or the offer (307/308) to wherever
        // the Location points, or turn the POST into a GET (301/302/303) whose answer is read as the
        // marketplace's. A redirect is a failed call the operator sees, never obeyed.
        res = await fetch(`${c.url.replace(/\/+$/, '')}${path}`, {
          method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), redirect: 'manual', signal: AbortSignal.timeout(c.timeoutMs),
        });
        text = await boundedText(res, MAX_ANSWER_BYTES);
      } catch (err) {
        if (err instanceof AnswerTooLarge) throw new MarketplaceCallError(err.message, res!.status, undefined);
        const e = err as Error & { cause?: { code?: string } };
        const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
        throw new MarketplaceCallError(timedOut ? `timeout after ${c.timeoutMs} ms` : `unreachable (${e.cause?.code ?? e.message})`, undefined, undefined);
      }
      const retryAfterMs = readRetryAfter(res.headers.get('retry-after'));
      const ok = (res.status >= 200 && res.status < 300) || (opts.okStatuses ?? []).includes(res.status);
      if (!ok && res.status >= 300 && res.status < 400) {
        throw new MarketplaceCallError(`HTTP ${res.status}: a redirect, not followed (set url to the marketplace's final address)`, res.status, retryAfterMs);
      }
      if (!ok) throw new MarketplaceCallError(`HTTP ${res.status}`, res.status, retryAfterMs);
      let body: unknown;
      if (text) {
        try { body = JSON.parse(text); } catch { body = undefined; }
      }
      return { status: res.status, body, etag: res.headers.get('etag') ?? undefined, retryAfterMs };
    },
  };
}
