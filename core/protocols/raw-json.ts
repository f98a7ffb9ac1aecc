// Upstream bytes written to the client as they came, when nothing could have changed them.
// - A JSON answer keeps its text until someone takes its `body` (a plugin that takes it may change
//   it in place): then it is serialised anew. Core reads it through `peek()`, which does not count.
// - A stream's events keep their data's text (WireEvent) and egress writes it only while the stream
//   is the one dispatch produced: a plugin that wraps the events may change them in place, so a
//   wrapped stream is serialised event by event.
import type { GatewayResponse, JsonResponse } from '../exchange.js';
import { spliceJson } from './json-splice.js';
import type { JsonValue, Protocol, StreamEvent } from './types.js';

/**
 * An event as it came off the wire: its data parsed, the data's text kept (privately: a spread or
 * JSON.stringify of the event does not carry it) for writing the event back unchanged. Kept on the
 * event rather than in a WeakMap keyed by the parsed value: each WeakMap entry cost an ephemeron
 * write barrier and the scavenger's ephemeron pass, ~12 µs a streamed request of 23 events (perf,
 * bench/results/ledger.md round 13).
 */
export class WireEvent implements StreamEvent {
  // Declared only: set when the wire event has them, as on a plain event (no own `event: undefined`).
  declare event?: string;
  declare id?: string;
  readonly #parsed: JsonValue;
  readonly #text: string;

  constructor(public data: JsonValue, text: string) {
    this.#parsed = data;
    this.#text = text;
  }

  /** The text `ev.data` was parsed from, while it is still that value (a plugin may have set another). */
  static rawOf(ev: StreamEvent): string | undefined {
    return ev instanceof WireEvent && ev.data === ev.#parsed ? ev.#text : undefined;
  }
}

/**
 * The data text of an event in a stream a plugin wrapped, which may have changed the data in place:
 * serialised — from the wire text when the event has one, so every value the plugin left as it was
 * keeps the upstream's spelling (a model's integer beyond 2^53 in Gemini `functionCall.args`).
 */
export function changedEventText(ev: StreamEvent): string {
  const raw = WireEvent.rawOf(ev);
  return raw === undefined ? JSON.stringify(ev.data) : spliceJson(raw, ev.data);
}

/**
 * Carried (true) by a stream whose events go to the client as their upstream sent them: the one
 * dispatch produced, and a wrapper that passes such a stream on unchanged (observeStream's). A
 * property rather than a WeakSet entry per stream, which the GC must sweep.
 */
export const PASSES_UNTOUCHED: unique symbol = Symbol('sluice.passesUntouched');
type Marked = AsyncIterable<StreamEvent> & { [PASSES_UNTOUCHED]?: boolean };

export function markUntouchedStream(events: AsyncIterable<StreamEvent>): AsyncIterable<StreamEvent> {
  (events as Marked)[PASSES_UNTOUCHED] = true;
  return events;
}

export function isUntouchedStream(events: AsyncIterable<StreamEvent>): boolean {
  return (events as Marked)[PASSES_UNTOUCHED] === true;
}

/** An upstream's JSON answer that remembers its text until its body is taken. */
export class UpstreamJsonResponse implements JsonResponse {
  readonly kind = 'json' as const;
  private parsed: JsonValue;
  private taken = false;
  /** A new body was set: nothing of the upstream's text is its spelling any more. */
  private replaced = false;

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
    this.replaced = true;
    this.parsed = value;
  }

  /** The body for reading, without giving up the original text. */
  peek(): JsonValue { return this.parsed; }

  /** The upstream's bytes (else its text) while nobody has taken the body. */
  untouched(): Buffer | string | undefined { return this.taken ? undefined : this.bytes ?? this.text; }

  /**
   * What to write: the upstream's bytes while untouched; once a plugin changed the body in place
   * (the firewall restoring a value), the upstream's text for every value it left as it was — a
   * model's integer beyond 2^53 in a tool input is not rounded on the way to the client.
   */
  serialised(): Buffer | string {
    if (!this.taken) return this.bytes ?? this.text;
    return this.replaced ? JSON.stringify(this.parsed) : spliceJson(this.text, this.parsed);
  }
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
  return response instanceof UpstreamJsonResponse ? response.serialised() : JSON.stringify(response.body);
}
