// Where each SDK puts the client's key: OpenAI `Authorization: Bearer`, Anthropic `x-api-key` (0.x)
// or `Authorization: Bearer` (1.x), Gemini `x-goog-api-key` or `?key=`. Auth plugins read it here.
import type { IncomingHttpHeaders } from 'node:http';

export function clientCredential(headers: Readonly<IncomingHttpHeaders>, query: Readonly<Record<string, string | undefined>>): string | undefined {
  const bearer = bearerToken(headers['authorization']);
  if (bearer !== undefined) return bearer;
  for (const name of ['x-api-key', 'x-goog-api-key'] as const) {
    const v = headers[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  const key = query['key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** The token of `Authorization: Bearer TOKEN`; the scheme in any case, as RFC 9110 has it. */
export function bearerToken(auth: string | undefined): string | undefined {
  if (auth === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
}
