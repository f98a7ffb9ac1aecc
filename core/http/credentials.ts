// Where each SDK puts the client's key: OpenAI `Authorization: Bearer`, Anthropic `x-api-key` (0.x)
// or `Authorization: Bearer` (1.x), Gemini `x-goog-api-key` or `?key=`. Auth plugins read it here.
import type { IncomingHttpHeaders } from 'node:http';

export function clientCredential(headers: Readonly<IncomingHttpHeaders>, query: Readonly<Record<string, string | undefined>>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  for (const name of ['x-api-key', 'x-goog-api-key'] as const) {
    const v = headers[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  const key = query['key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}
