// Server-sent events: a robust incremental parser (chunks split anywhere, CRLF/CR/LF, comments,
// multi-line data, ids) and the serializer egress uses.
import type { JsonValue, StreamEvent } from './types.js';

export interface RawSseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * Incremental SSE decoder. Feed it text; it returns the events completed so far.
 * Follows the WHATWG event-stream rules: fields `event`, `data`, `id`; lines starting with ':'
 * are comments; an event is dispatched on a blank line; events with no data are skipped.
 */
export class SseDecoder {
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  private pendingCR = false;

  push(chunk: string): RawSseEvent[] {
    const out: RawSseEvent[] = [];
    let text = chunk;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    const buf = this.buffer;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < buf.length) { if (buf.charCodeAt(i + 1) === 10) i++; }
        else this.pendingCR = true;
      }
      start = i + 1;
      this.line(line, out);
    }
    this.buffer = buf.slice(start);
    return out;
  }

  /** Call at end of input: a final event without its blank line is still dispatched. */
  end(): RawSseEvent[] {
    const out: RawSseEvent[] = [];
    if (this.buffer) { this.line(this.buffer, out); this.buffer = ''; }
    this.line('', out);
    return out;
  }

  private line(line: string, out: RawSseEvent[]): void {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event, data: this.data.join('\n'), id: this.id });
      // Unlike a browser we do not carry the last id over: a proxy re-emits each event as it came.
      this.event = undefined;
      this.id = undefined;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    // `retry` and unknown fields are ignored, as the spec says.
  }
}

/** Parses an event's data as JSON when it is JSON; keeps the raw string otherwise ("[DONE]"). */
export function toStreamEvent(raw: RawSseEvent): StreamEvent {
  let data: JsonValue = raw.data;
  const first = raw.data.charCodeAt(0);
  if (first === 123 /* { */ || first === 91 /* [ */) {
    try { data = JSON.parse(raw.data) as JsonValue; } catch { /* not JSON: keep the string */ }
  }
  const ev: StreamEvent = { data };
  if (raw.event !== undefined) ev.event = raw.event;
  if (raw.id !== undefined) ev.id = raw.id;
  return ev;
}

/** Decodes a byte stream into parsed events. */
export async function* decodeSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<StreamEvent> {
  const decoder = new SseDecoder();
  const utf8 = new TextDecoder('utf-8');
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true });
    for (const raw of decoder.push(text)) yield toStreamEvent(raw);
  }
  for (const raw of decoder.push(utf8.decode())) yield toStreamEvent(raw);
  for (const raw of decoder.end()) yield toStreamEvent(raw);
}

/** Serializes one event in the wire framing SDK parsers expect. */
export function encodeSseEvent(ev: StreamEvent): string {
  const data = typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data);
  let out = '';
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  // Multi-line payloads need one data: line per line; JSON.stringify never emits raw newlines.
  out += data.indexOf('\n') === -1 ? `data: ${data}\n\n` : data.split('\n').map((l) => `data: ${l}\n`).join('') + '\n';
  return out;
}
