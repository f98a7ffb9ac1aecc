// OpenAI Chat streams report usage only when asked (`stream_options.include_usage`). Sluice always
// asks, because accounting needs it, and hides the extra usage chunk from clients that did not ask.
import { asObject, isObject } from '../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../protocols/types.js';
import { withFields } from '../protocols/with-fields.js';
import { WireEvent } from '../protocols/raw-json.js';

export function chatUsageWanted(request: JsonObject): boolean {
  return asObject(request['stream_options'])?.['include_usage'] === true;
}

export function withUsageRequested(body: JsonObject): JsonObject {
  if (chatUsageWanted(body)) return body;
  const options = asObject(body['stream_options']);
  return withFields(body, { stream_options: options ? withFields(options, { include_usage: true }) : { include_usage: true } });
}

const CLOSE_BRACE = 0x7d;
const USAGE_MEMBER = Buffer.from(',"stream_options":{"include_usage":true}}');

/**
 * The same request as bytes, usage asked for, without re-serialising it: when the body has no
 * `stream_options` at all the member is spliced in before the closing brace. Undefined when that
 * cannot be done safely (the caller serialises the parsed body instead).
 */
export function withUsageRequestedBytes(bytes: Buffer, parsed: JsonObject): Buffer | undefined {
  if (parsed['stream_options'] !== undefined || Object.keys(parsed).length === 0) return undefined;
  let end = bytes.length - 1;
  while (end >= 0 && (bytes[end] === 0x20 || bytes[end] === 0x0a || bytes[end] === 0x0d || bytes[end] === 0x09)) end--;
  if (end < 0 || bytes[end] !== CLOSE_BRACE) return undefined;
  return Buffer.concat([bytes.subarray(0, end), USAGE_MEMBER]);
}

/**
 * An event as a client that did not ask for usage gets it: the usage-only chunk (`choices: []`)
 * dropped (undefined), `usage` riding on another chunk taken off, `"usage":null` too. A function
 * commitStream applies as events pass (CommitOptions.pass), not a generator around the stream: a
 * layer of async generator costs a promise and its resumption per event (~10% of a streamed
 * request's allocation).
 */
export function withoutUsage(ev: StreamEvent): StreamEvent | undefined {
  const data = ev.data;
  if (!isObject(data) || data['usage'] === undefined) return ev;
  if (data['usage'] === null) return withoutNullUsage(ev, data);
  const choices = data['choices'];
  if (Array.isArray(choices) && choices.length === 0) return undefined;
  const { usage: _dropped, ...rest } = data;
  return { ...ev, data: rest };
}

/**
 * Asked for usage, OpenAI puts `"usage":null` on every chunk but the last; a client that did not ask
 * gets its chunks without the member, as OpenAI sends them then. The member is set to undefined
 * rather than the object copied without it (a rest-spread cost ~0.2 µs a chunk, every chunk of every
 * Chat stream): serialised, an undefined member is left out. OpenAI puts it last, so it is cut from
 * the wire text and the chunk is still written as it came; elsewhere, the chunk is serialised anew.
 */
const NULL_USAGE_TAIL = ',"usage":null}';
function withoutNullUsage(ev: StreamEvent, data: JsonObject): StreamEvent {
  const raw = WireEvent.rawOf(ev);
  (data as Record<string, JsonValue | undefined>)['usage'] = undefined;
  const out: StreamEvent = raw?.endsWith(NULL_USAGE_TAIL) ? new WireEvent(data, raw.slice(0, -NULL_USAGE_TAIL.length) + '}') : { data };
  if (ev.event !== undefined) out.event = ev.event;
  if (ev.id !== undefined) out.id = ev.id;
  return out;
}
