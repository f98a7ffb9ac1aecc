// The agent session a request belongs to, from what coding agents send: Claude Code's
// x-claude-code-session-id header (or the session_id inside the JSON string of metadata.user_id),
// Codex's session-id header, or a generic x-session-id. None: undefined.
import type { IncomingHttpHeaders } from 'node:http';
import type { JsonObject } from '../protocols/types.js';
import { holdsKey } from './path-credentials.js';

const SAFE_SESSION = /^[A-Za-z0-9._:@-]{1,128}$/;
const HEADERS = ['x-claude-code-session-id', 'session-id', 'session_id', 'x-session-id'] as const;

/** A session id is logged and stored: a key pasted there (the charset allows one) is not taken. */
function safe(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_SESSION.test(value) && !holdsKey(value) ? value : undefined;
}

/** The session the headers name: all a request refused before its body (or without one) has. */
export function headerSessionId(headers: IncomingHttpHeaders): string | undefined {
  for (const name of HEADERS) {
    const id = safe(headers[name]);
    if (id) return id;
  }
  return undefined;
}

export function sessionIdFrom(headers: IncomingHttpHeaders, body: JsonObject): string | undefined {
  const fromHeaders = headerSessionId(headers);
  if (fromHeaders) return fromHeaders;
  const metadata = body['metadata'];
  const userId = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata['user_id'] : undefined;
  // Claude Code: metadata.user_id is a JSON string such as {"device_id":…,"session_id":"…"}.
  if (typeof userId !== 'string') return undefined;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as unknown;
      if (parsed && typeof parsed === 'object') return safe((parsed as Record<string, unknown>)['session_id']);
    } catch { /* not JSON after all */ }
    return undefined;
  }
  // Older Claude Code: user_<hash>_account_<id>_session_<uuid>.
  const m = /_session_([A-Za-z0-9-]{8,64})$/.exec(userId);
  if (m) return m[1];
  return undefined;
}
