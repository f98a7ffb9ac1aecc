// OpenAI Chat streams report usage only when asked (`stream_options.include_usage`). Sluice always
// asks, because accounting needs it, and hides the extra usage chunk from clients that did not ask.
import { asObject, isObject } from '../protocols/json.js';
import type { JsonObject, StreamEvent } from '../protocols/types.js';

export function chatUsageWanted(request: JsonObject): boolean {
  return asObject(request['stream_options'])?.['include_usage'] === true;
}

export function withUsageRequested(body: JsonObject): JsonObject {
  if (chatUsageWanted(body)) return body;
  return { ...body, stream_options: { ...asObject(body['stream_options']), include_usage: true } };
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

/** Drops the usage-only chunk (`choices: []`) and any `usage` riding on other chunks. */
export async function* stripUsageChunks(events: AsyncIterable<StreamEvent>): AsyncGenerator<StreamEvent> {
  for await (const ev of events) {
    const data = ev.data;
    if (isObject(data) && data['usage'] !== undefined && data['usage'] !== null) {
      const choices = data['choices'];
      if (Array.isArray(choices) && choices.length === 0) continue;
      const { usage: _dropped, ...rest } = data;
      yield { ...ev, data: rest };
      continue;
    }
    yield ev;
  }
}
