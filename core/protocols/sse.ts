// Server-sent events: a robust incremental parser (chunks split anywhere, CRLF/CR/LF, comments,
// multi-line data, ids) and the serializer egress uses.
import { changedEventText, WireEvent } from './raw-json.js';
import type { JsonValue, StreamEvent } from './types.js';

export interface RawSseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export interface SseDecoderOptions {
  /**
   * Most characters one event may hold: its data, event and id values plus a line still being
   * received. A stream that sends more is cut with SseEventTooLargeError. Unlimited when absent.
   */
  maxEventSize?: number;
}

/** An event grew past `maxEventSize`; `events` are those completed before it in the same push. */
export class SseEventTooLargeError extends Error {
  constructor(readonly limit: number, readonly events: RawSseEvent[] = []) {
    super(`an SSE event exceeds ${limit} characters`);
    this.name = 'SseEventTooLargeError';
  }
}

/**
 * Incremental SSE decoder. Feed it text; it returns the events completed so far.
 * Follows the WHATWG event-stream rules: fields `event`, `data`, `id`; lines starting with ':'
 * are comments; an event is dispatched on a blank line; events with no data are skipped.
 *
 * Linear in its input: each chunk is scanned once, from where the previous scan stopped, and the
 * pieces of a line that spans chunks are kept in a list and joined once, when the line ends. (A
 * buffer re-concatenated and re-scanned per chunk made one 16 MB event — a base64 image — cost
 * seconds of blocked event loop.)
 */
export class SseDecoder {
  /** The line being received, in pieces; joined when its end arrives. */
  private partial: string[] = [];
  private partialLength = 0;
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  /** Characters the current event holds in completed fields (what `maxEventSize` bounds, with `partialLength`). */
  private eventSize = 0;
  private pendingCR = false;
  private failed = false;
  private readonly maxEventSize: number;

  constructor(options: SseDecoderOptions = {}) {
    this.maxEventSize = options.maxEventSize ?? Infinity;
  }

  /** The events `chunk` completes. Throws SseEventTooLargeError once an event outgrows `maxEventSize`. */
  push(chunk: string): RawSseEvent[] {
    if (this.failed) throw new SseEventTooLargeError(this.maxEventSize);
    const out: RawSseEvent[] = [];
    // An empty chunk (a UTF-8 decoder holding half a character) must not forget a pending CR.
    if (chunk.length === 0) return out;
    let start = 0;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk.charCodeAt(0) === 10) start = 1;
    }
    // Next LF and next CR at or after `start`; -1 once there is none left in this chunk.
    let lf = chunk.indexOf('\n', start);
    let cr = chunk.indexOf('\r', start);
    while (lf !== -1 || cr !== -1) {
      let end: number;
      let next: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        end = lf;
        next = lf + 1;
      } else {
        end = cr;
        next = cr + 1;
        if (next === chunk.length) this.pendingCR = true;
        else if (chunk.charCodeAt(next) === 10) next++;
      }
      let line = chunk.slice(start, end);
      if (this.partial.length > 0) {
        this.partial.push(line);
        line = this.partial.join('');
        this.partial = [];
        this.partialLength = 0;
      }
      start = next;
      if (!this.line(line, out)) return this.fail(out);
      if (lf !== -1 && lf < start) lf = chunk.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = chunk.indexOf('\r', start);
    }
    if (start < chunk.length) {
      const rest = start === 0 ? chunk : chunk.slice(start);
      this.partial.push(rest);
      this.partialLength += rest.length;
      if (this.eventSize + this.partialLength > this.maxEventSize) return this.fail(out);
    }
    return out;
  }

  /** Call at end of input: a final event without its blank line is still dispatched. */
  end(): RawSseEvent[] {
    if (this.failed) throw new SseEventTooLargeError(this.maxEventSize);
    const out: RawSseEvent[] = [];
    if (this.partial.length > 0) {
      const line = this.partial.join('');
      this.partial = [];
      this.partialLength = 0;
      this.line(line, out);
    }
    this.line('', out);
    return out;
  }

  private fail(completed: RawSseEvent[]): never {
    this.failed = true;
    // Nothing more will be decoded: let the held pieces go now.
    this.partial = [];
    this.data = [];
    throw new SseEventTooLargeError(this.maxEventSize, completed);
  }

  /** Applies one complete line; false when the event it belongs to is now over the size limit. */
  private line(line: string, out: RawSseEvent[]): boolean {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event, data: this.data.join('\n'), id: this.id });
      // Unlike a browser we do not carry the last id over: a proxy re-emits each event as it came.
      this.event = undefined;
      this.id = undefined;
      this.data = [];
      this.eventSize = 0;
      return true;
    }
    if (line.charCodeAt(0) === 58 /* : */) return true;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.eventSize += value.length + 1;
    } else if (field === 'event') {
      this.event = value;
      this.eventSize += value.length;
    } else if (field === 'id') {
      this.id = value;
      this.eventSize += value.length;
    }
    // `retry` and unknown fields are ignored, as the spec says.
    return this.eventSize <= this.maxEventSize;
  }
}

/** Parses an event's data as JSON when it is JSON; keeps the raw string otherwise ("[DONE]"). */
export function toStreamEvent(raw: RawSseEvent): StreamEvent {
  let ev: StreamEvent | undefined;
  const first = raw.data.charCodeAt(0);
  // Not OpenAI's sentinel `[DONE]`: it ends every Chat stream, and JSON.parse's SyntaxError for it,
  // with its stack trace, cost ~12 µs a stream (perf).
  if (first === 123 /* { */ || (first === 91 /* [ */ && raw.data !== '[DONE]')) {
    // Its text kept: an event no plugin changes is written to the client as it came.
    try { ev = new WireEvent(JSON.parse(raw.data) as JsonValue, raw.data); } catch { /* not JSON: keep the string */ }
  }
  ev ??= { data: raw.data };
  if (raw.event !== undefined) ev.event = raw.event;
  if (raw.id !== undefined) ev.id = raw.id;
  return ev;
}

/** Serializes one event in the wire framing SDK parsers expect. */
export function encodeSseEvent(ev: StreamEvent): string {
  return frame(ev, typeof ev.data === 'string' ? ev.data : changedEventText(ev));
}

/** The same for an event as it came off the wire (see raw-json.ts): its data's original text, as is. */
export function encodeUntouchedSseEvent(ev: StreamEvent): string {
  return frame(ev, typeof ev.data === 'string' ? ev.data : WireEvent.rawOf(ev) ?? JSON.stringify(ev.data));
}

function frame(ev: StreamEvent, data: string): string {
  let out = '';
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  // Multi-line payloads need one data: line per line; JSON.stringify never emits raw newlines.
  out += data.indexOf('\n') === -1 ? `data: ${data}\n\n` : data.split('\n').map((l) => `data: ${l}\n`).join('') + '\n';
  return out;
}
