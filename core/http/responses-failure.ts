// How a Responses stream that has begun ends when it fails: the `error` event, then
// `response.failed` — the response `response.created` announced, with status "failed" and its
// `error` set — as OpenAI's API ends one. Codex CLI reads `response.failed` (not the `error` event)
// to decide what to show and whether to retry; without it Codex only sees a stream that closed
// before its terminal event, and the openai SDK's ResponseStream a stream with no final response.
import { asObject, asString } from '../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../protocols/types.js';

/** What a failed response must repeat of the stream so far: the response object and the finished items. */
export class ResponsesStreamState {
  private response: JsonObject | undefined;
  /** Finished output items by output_index. */
  private readonly items: JsonValue[] = [];
  /** The stream already carries its own terminal event (an upstream's response.failed passed through). */
  private ended = false;

  /** Reads one event on its way to the client (a string comparison for all but four kinds). */
  see(data: JsonObject): void {
    switch (data['type']) {
      case 'response.created':
      case 'response.in_progress':
        this.response = asObject(data['response']) ?? this.response;
        break;
      case 'response.output_item.done': {
        const index = data['output_index'];
        if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < 4096) this.items[index] = data['item'] ?? null;
        break;
      }
      case 'response.failed':
      case 'response.completed':
      case 'response.incomplete':
        this.ended = true;
        break;
    }
  }

  /**
   * The `response.failed` event for an error whose `error` event (`errorEvent`, already built) went
   * or goes out just before it; undefined when the stream announced no response to fail (nothing
   * began) or already carries a terminal event of its own.
   */
  failed(errorEvent: JsonObject, sequenceNumber: number): StreamEvent | undefined {
    if (!this.response || this.ended) return undefined;
    this.ended = true;
    // An upstream's own error event may nest its fields under `error`, as some servers send it.
    const nested = asObject(errorEvent['error']);
    const code = asString(errorEvent['code']) ?? asString(nested?.['code']) ?? asString(nested?.['type']) ?? null;
    const message = asString(errorEvent['message']) ?? asString(nested?.['message']) ?? 'upstream reported an error mid-stream';
    const output: JsonValue[] = [];
    for (const item of this.items) if (item !== undefined && item !== null) output.push(item);
    const response: JsonObject = { ...this.response, status: 'failed', error: { code, message }, incomplete_details: null, output };
    return { event: 'response.failed', data: { type: 'response.failed', response, sequence_number: sequenceNumber } };
  }
}
