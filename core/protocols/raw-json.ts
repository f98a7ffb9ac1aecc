// Upstream bytes written to the client as they came, when nothing could have changed them.
// - A JSON answer keeps its text until someone takes its `body` (a plugin that takes it may change
//   it in place): then it is serialised anew. Core reads it through `peek()`, which does not count.
// - A stream's events keep their data's text (remembered beside the parsed value, not on it) and
//   egress writes it only while the stream is the one dispatch produced: a plugin that wraps the
//   events may change them in place, so a wrapped stream is serialised event by event.
import type { GatewayResponse, JsonResponse } from '../exchange.js';
import type { JsonValue, Protocol, StreamEvent } from './types.js';

const RAW = new WeakMap<object, string>();
const UNTOUCHED_STREAMS = new WeakSet<AsyncIterable<StreamEvent>>();

/** Parses an event's JSON data, remembering the text for an untouched stream. */
export function parseJsonKeepingRaw(text: string): JsonValue {
  const value = JSON.parse(text) as JsonValue;
  if (value !== null && typeof value === 'object') RAW.set(value, text);
  return value;
}

/** The text `value` was parsed from, if remembered. */
export function rawJsonOf(value: JsonValue): string | undefined {
  return value !== null && typeof value === 'object' ? RAW.get(value) : undefined;
}

export function markUntouchedStream(events: AsyncIterable<StreamEvent>): AsyncIterable<StreamEvent> {
  UNTOUCHED_STREAMS.add(events);
  return events;
}

/**
 * Carried (true) by a wrapper that passes an untouched stream's events on unchanged, such as
 * observeStream's: a property read instead of a WeakSet entry made (and swept) for every stream.
 */
export const PASSES_UNTOUCHED: unique symbol = Symbol('sluice.passesUntouched');

export function isUntouchedStream(events: AsyncIterable<StreamEvent>): boolean {
  return (events as { [PASSES_UNTOUCHED]?: boolean })[PASSES_UNTOUCHED] === true || UNTOUCHED_STREAMS.has(events);
}

/** An upstream's JSON answer that remembers its text until its body is taken. */
export class UpstreamJsonResponse implements JsonResponse {
  readonly kind = 'json' as const;
  private parsed: JsonValue;
  private taken = false;

  /** `bytes`, when given, are `text` as received: what is written to the client while untouched. */
  constructor(public status: number, public headers: Record<string, string>, public protocol: Protocol, private readonly text: string, private readonly bytes?: Buffer) {
    this.parsed = JSON.parse(text) as JsonValue;
  }

  get body(): JsonValue {
    this.taken = true;
    return this.parsed;
  }
  set body(value: JsonValue) {
    this.taken = true;
    this.parsed = value;
  }

  /** The body for reading, without giving up the original text. */
  peek(): JsonValue { return this.parsed; }

  /** The upstream's bytes (else its text) while nobody has taken the body. */
  untouched(): Buffer | string | undefined { return this.taken ? undefined : this.bytes ?? this.text; }
}

/** A response's body for reading only (core's usage extraction). */
export function peekBody(response: JsonResponse): JsonValue {
  return response instanceof UpstreamJsonResponse ? response.peek() : response.body;
}

/**
 * What to write for a response: the upstream's own bytes when untouched (no re-encoding of its
 * text on the way out), else the body serialised.
 */
export function responseBody(response: GatewayResponse & { kind: 'json' }): Buffer | string {
  return (response instanceof UpstreamJsonResponse ? response.untouched() : undefined) ?? JSON.stringify(response.body);
}
