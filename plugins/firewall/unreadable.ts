// Content the firewall cannot read: a field where the protocol keeps content holding a type it does
// not allow there (`"messages": "my key is …"`, a number for a text). The view reads only the shapes
// the protocol defines, so such a field is in no segment and nothing in it is scanned — yet the
// provider receives it before it refuses the request. Enforce and redact therefore refuse it before
// any upstream call (fail closed); monitor, which never refuses, lets it through and says so.
import { GatewayError, type JsonValue, type Logger, type UnreadableField } from '../../core/index.js';
import { FIREWALL_UNREADABLE } from './errors.js';
import type { FirewallMode } from './options.js';
import { formatLocation } from './policy.js';

/** Fields named in a refusal's message: the first few say what to fix. */
const NAMED = 3;

/** The JSON type a value has, as a client would call it (the value itself is never shown). */
function jsonType(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Refuses (enforce, redact) or reports (monitor) the fields the view could not read. Returns the
 * characters of JSON they hold, which monitor counts as unscanned; throws FIREWALL_UNREADABLE otherwise.
 */
export function handleUnreadable(fields: readonly UnreadableField[], mode: FirewallMode, requestId: string, logger: Logger): number {
  const locations = fields.map((f) => formatLocation(f.path));
  if (mode !== 'monitor') {
    logger.warn('request refused: a field the prompt firewall cannot read', { request_id: requestId, fields: locations });
    const named = fields.slice(0, NAMED).map((f, i) => `${locations[i]} (${jsonType(f.value)})`).join(', ');
    const more = fields.length > NAMED ? ` and ${fields.length - NAMED} more` : '';
    throw new GatewayError(FIREWALL_UNREADABLE, `request not sent: the prompt firewall cannot read ${named}${more}, of a type the protocol does not allow there, so it could not check it`, {
      param: locations[0] ?? null,
    });
  }
  let chars = 0;
  for (const f of fields) chars += JSON.stringify(f.value).length;
  logger.warn('request fields of a type the protocol does not allow there were not scanned (monitor)', { request_id: requestId, fields: locations, unscanned_chars: chars });
  return chars;
}
