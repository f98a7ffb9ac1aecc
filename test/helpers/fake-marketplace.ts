// A local marketplace speaking the wire protocol of docs/marketplace.md exactly: it checks the
// gateway's credentials, records the usage it receives and dedupes it by record id (a record sent
// twice is a duplicate, never counted twice), serves offers with an ETag (304 on If-None-Match),
// keeps published offers, and can be scripted to fail (500, 429 with retry-after) or to hold its
// answers (a gateway killed mid-push).
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsageRecord {
  id: string; time: string; direction: 'consumed' | 'supplied' | null; offer_id: string | null; provider: string | null; model: string | null;
  input_tokens: number; output_tokens: number; cached_read_tokens: number; cache_write_tokens: number; reasoning_tokens: number; cost_usd: number | null;
}

export interface FakeOffer {
  id: string; seller?: string; models: string[]; protocol: 'openai' | 'anthropic' | 'gemini'; base_url: string; api_key?: string;
  price: { input: number; output: number; cached_read?: number; cache_write?: number }; capacity?: { rpm?: number; tpm?: number }; expires_at?: string;
}

export interface FakeCall { method: string; path: string; status: number; time: number; gatewayId: string | undefined; authorized: boolean; records?: number }

/** A scripted answer to the next usage POST(s): a status (with retry-after), or a hold until `release()`. */
export type Scripted = { status: number; retryAfter?: string } | 'hold';

export interface FakeMarketplace {
  url: string;
  apiKey: string;
  /** Usage records by id, as first accepted. */
  usage: Map<string, FakeUsageRecord>;
  /** Every id the fake has answered as accepted, in order (an id twice here would be a double count). */
  acceptedIds: string[];
  duplicateIds: string[];
  calls: FakeCall[];
  offers: FakeOffer[];
  /** Offers gateways published (PUT), by id. */
  published: Map<string, Record<string, unknown>>;
  withdrawn: string[];
  /** Answers to the next usage POSTs, in order; once empty, normal answers. */
  script: Scripted[];
  /** Held POSTs have been recorded and accepted, but not answered: answers them now. */
  release(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) as unknown : undefined;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
};

export async function startFakeMarketplace(opts: { apiKey?: string } = {}): Promise<FakeMarketplace> {
  const apiKey = opts.apiKey ?? 'mk-test-key';
  const held: (() => void)[] = [];
  const fake: Omit<FakeMarketplace, 'url' | 'close'> = {
    apiKey, usage: new Map(), acceptedIds: [], duplicateIds: [], calls: [], offers: [], published: new Map(), withdrawn: [], script: [],
    release() { for (const h of held.splice(0)) h(); },
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const gatewayId = typeof req.headers['x-sluice-gateway-id'] === 'string' ? req.headers['x-sluice-gateway-id'] : undefined;
      const authorized = req.headers['authorization'] === `Bearer ${apiKey}` && gatewayId !== undefined;
      const call: FakeCall = { method: req.method ?? '', path, status: 0, time: Date.now(), gatewayId, authorized };
      fake.calls.push(call);
      const answer = (status: number, body?: unknown, headers?: Record<string, string>) => { call.status = status; json(res, status, body, headers); };
      let body: unknown;
      try { body = await readBody(req); } catch { return answer(400, { error: 'bad json' }); }
      if (!authorized) return answer(401, { error: 'unauthorized' });

      if (req.method === 'POST' && path === '/v1/usage') {
        const records = (body as { gateway_id?: string; records?: FakeUsageRecord[] } | undefined)?.records;
        if (!Array.isArray(records) || (body as { gateway_id?: string }).gateway_id !== gatewayId) return answer(400, { error: 'expected {gateway_id, records}' });
        call.records = records.length;
        const next = fake.script.shift();
        if (next !== undefined && next !== 'hold') return answer(next.status, { error: 'scripted' }, next.retryAfter ? { 'retry-after': next.retryAfter } : {});
        const accepted: string[] = [];
        const duplicates: string[] = [];
        for (const r of records) {
          if (fake.usage.has(r.id)) { duplicates.push(r.id); continue; }
          fake.usage.set(r.id, r);
          accepted.push(r.id);
        }
        fake.acceptedIds.push(...accepted);
        fake.duplicateIds.push(...duplicates);
        // Held: counted, but the gateway never hears so (it is killed, or times out) and must send again.
        if (next === 'hold') { await new Promise<void>((r) => held.push(r)); if (res.destroyed) return; }
        return answer(200, { accepted, duplicates });
      }
      if (req.method === 'GET' && path === '/v1/offers') {
        const text = JSON.stringify({ offers: fake.offers });
        const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 16)}"`;
        if (req.headers['if-none-match'] === etag) { call.status = 304; res.writeHead(304, { etag }).end(); return; }
        call.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', etag }).end(text);
        return;
      }
      const m = /^\/v1\/offers\/([^/]+)$/.exec(path);
      if (m && req.method === 'PUT') {
        const id = decodeURIComponent(m[1]!);
        if (typeof body !== 'object' || body === null) return answer(400, { error: 'expected an offer' });
        fake.published.set(id, body as Record<string, unknown>);
        return answer(200, { id });
      }
      if (m && req.method === 'DELETE') {
        const id = decodeURIComponent(m[1]!);
        fake.withdrawn.push(id);
        return fake.published.delete(id) ? answer(200, { id }) : answer(404, { error: 'no such offer' });
      }
      return answer(404, { error: 'not found' });
    })().catch((err: unknown) => { if (!res.headersSent) json(res, 500, { error: String(err) }); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { fake.release(); server.closeAllConnections(); server.close(() => r()); }),
  });
}
