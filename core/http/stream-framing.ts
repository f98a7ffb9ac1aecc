// How a stream's events become the bytes its client reads: Server-Sent Events, or the one JSON
// array Gemini's streamGenerateContent answers when the client did not ask for `alt=sse`. Picked
// once per stream (egress), so the SSE path pays nothing per event for the choice.
import type { StreamFraming } from '../exchange.js';
import { changedEventText, WireEvent } from '../protocols/raw-json.js';
import { encodeSseEvent, encodeUntouchedSseEvent } from '../protocols/sse.js';
import type { Protocol, StreamEvent } from '../protocols/types.js';

export interface StreamFramer {
  readonly contentType: string;
  /** One event's bytes. */
  event(ev: StreamEvent): string;
  /** What an idle stream writes so proxies and SDK idle timers keep it open. */
  keepAlive(): string;
  /** What follows the last event ('' for nothing); `failed`: the stream ended on an error event. */
  end(failed: boolean): string;
}

/** `untouched`: the events are the upstream's own (raw-json.ts), so their data's text can be written as is. */
export function streamFramer(framing: StreamFraming | undefined, protocol: Protocol, untouched: boolean): StreamFramer {
  return framing === 'json-array' ? new JsonArrayFramer(untouched) : framing === 'messages' ? new MessagesFramer(untouched) : new SseFramer(protocol, untouched);
}

class SseFramer implements StreamFramer {
  readonly contentType = 'text/event-stream; charset=utf-8';
  /** The encoder itself, chosen here rather than by a test per event. */
  readonly event: (ev: StreamEvent) => string;
  private readonly idleFrame: string;
  private readonly terminator: string;

  constructor(protocol: Protocol, untouched: boolean) {
    this.event = untouched ? encodeUntouchedSseEvent : encodeSseEvent;
    // Idle streams get a frame their SDK ignores: Anthropic's own `ping` event, else an SSE comment.
    this.idleFrame = protocol.family === 'anthropic' ? 'event: ping\ndata: {"type":"ping"}\n\n' : ': keep-alive\n\n';
    this.terminator = protocol.family === 'openai' && protocol.operation === 'chat' ? 'data: [DONE]\n\n' : '';
  }

  keepAlive(): string { return this.idleFrame; }

  /** After an error event no terminator: a `[DONE]` would tell the SDK the stream succeeded. */
  end(failed: boolean): string { return failed ? '' : this.terminator; }
}

/** Google's separator: each element but the first is preceded by CRLF and a comma (`[{…}\r\n,{…}\r\n]`). */
const ELEMENT_SEPARATOR = '\r\n,';

/**
 * Gemini's default stream framing: a JSON array of GenerateContentResponse objects, each element
 * written whole as its event arrives, so a client may parse it incrementally or all at the end.
 * An in-stream error is the array's last element, as Google's API sends it; the array is closed
 * however the stream ends, so what the client holds is always one valid JSON document.
 */
class JsonArrayFramer implements StreamFramer {
  readonly contentType = 'application/json; charset=utf-8';
  /** What goes before the next element: the array's `[` until that has gone out, then the separator. */
  private before = '[';

  constructor(private readonly untouched: boolean) {}

  event(ev: StreamEvent): string {
    const text = this.untouched ? WireEvent.rawOf(ev) ?? JSON.stringify(ev.data) : changedEventText(ev);
    const frame = this.before + text;
    this.before = ELEMENT_SEPARATOR;
    return frame;
  }

  /**
   * Whitespace between elements is legal JSON. Before the first element the idle frame is the `[`
   * itself: readers that look for the array's opening as the first byte still find it there.
   */
  keepAlive(): string {
    if (this.before !== '[') return '\n';
    this.before = '';
    return '[';
  }

  end(): string {
    const close = this.before === '[' ? '[]' : '\r\n]';
    // A keep-alive that still slips out (the end waiting on a slow socket) is trailing whitespace, not a second `[`.
    this.before = ELEMENT_SEPARATOR;
    return close;
  }
}

/** The content type a socket turn's stream head names (never sent: it tells the sink the events follow). */
export const MESSAGES_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8';

/**
 * A Responses turn on a WebSocket (responses-socket.ts): each event's JSON on a line of its own,
 * which the socket's sink sends as one text message — the same object an SSE `data:` line carries.
 * A JSON text has no raw newline except as whitespace between tokens (an upstream's pretty-printed
 * event), which is serialised again without it. No keep-alive frame: the socket pings instead.
 */
class MessagesFramer implements StreamFramer {
  readonly contentType = MESSAGES_CONTENT_TYPE;

  constructor(private readonly untouched: boolean) {}

  event(ev: StreamEvent): string {
    if (typeof ev.data === 'string') return ev.data.startsWith('{') && ev.data.indexOf('\n') === -1 ? `${ev.data}\n` : '';
    const text = this.untouched ? WireEvent.rawOf(ev) ?? JSON.stringify(ev.data) : changedEventText(ev);
    return text.indexOf('\n') === -1 ? `${text}\n` : `${JSON.stringify(ev.data)}\n`;
  }

  keepAlive(): string { return ''; }

  end(): string { return ''; }
}
