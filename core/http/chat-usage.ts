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
