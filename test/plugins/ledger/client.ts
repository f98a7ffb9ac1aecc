// Client-side helpers for the ledger's tests: every request remembers the id the gateway gave it.
export interface Sent { id: string; status: number; text: string }

export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { id: res.headers.get('x-request-id') ?? '', status: res.status, text: await res.text() };
}

/** Starts a stream, reads its first bytes, then goes away. */
export async function disconnectMidStream(base: string, path: string, body: unknown): Promise<Sent> {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: abort.signal });
  const reader = res.body!.getReader();
  let seen = '';
  while (!seen.includes('word')) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += Buffer.from(value).toString('utf8');
  }
  abort.abort();
  await reader.cancel().catch(() => undefined);
  return { id: res.headers.get('x-request-id') ?? '', status: res.status, text: seen };
}

export const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });

export function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (await check()) { resolve(); return; }
      if (Date.now() > end) { reject(new Error('timed out waiting')); return; }
      setTimeout(tick, 25);
    };
    void tick();
  });
}
