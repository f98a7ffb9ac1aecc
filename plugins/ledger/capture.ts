// What the model said, for the independent count and for estimates when a provider reports no
// usage. JSON answers are read after the fact (prepare.ts); a stream is observed as it passes —
// read only, so its bytes still go to the client untouched — keeping at most `maxChars` of text.
import { isObject, observeStream, stateKey, streamTextReader, type Exchange, type StreamEvent, type StreamTextSink } from '../../core/index.js';

export interface StreamCapture {
  /** Answer text by choice (Chat `n`, Gemini candidates; one for the others), as it arrived. */
  text: string[][];
  /** Tool calls, each its name and arguments as they arrived, found by choice and the call's index. */
  calls: CapturedCall[];
  /** Reasoning text the provider showed (hidden reasoning is only in the usage figures). */
  reasoning: string[];
  /** Characters of text seen, kept or not (past `maxChars` they are counted, not kept). */
  chars: number;
  /** True once more text arrived than `maxChars`: the capture is then incomplete. */
  truncated: boolean;
  /** True when the stream ran to its end; false while running and when it was cut. */
  complete: boolean;
}

export interface CapturedCall { choice: number; index: number; name: string; args: string[] }

/**
 * The answer's text as its JSON form reads (texts.ts): every choice's text in choice order, then
 * each tool call's name and whole arguments, by choice and index. Parallel calls stream their
 * arguments interleaved, and choices their deltas: joined as they arrived, the text (and so its
 * token count) would differ from the same answer sent whole.
 */
export function capturedText(c: StreamCapture): string {
  let out = '';
  for (const parts of c.text) if (parts) out += parts.join('');
  const calls = c.calls.length > 1 ? [...c.calls].sort((a, b) => a.choice - b.choice || a.index - b.index) : c.calls;
  for (const call of calls) out += call.name + call.args.join('');
  return out;
}

export const STREAM_CAPTURE = stateKey<StreamCapture>('ledger.streamCapture');

/** Wraps a streamed answer so its text lands in a StreamCapture on the exchange. */
export function captureStream(exchange: Exchange, maxChars: number): void {
  const response = exchange.response;
  if (!response || response.kind !== 'stream') return;
  // Core's reading of each protocol's events (the limits and the marketplace meter the same text).
  const read = streamTextReader(response.protocol);
  if (!read) return;
  const capture: StreamCapture = { text: [[]], calls: [], reasoning: [], chars: 0, truncated: false, complete: false };
  /** Counts `text` against maxChars: false once the capture is over it (and so incomplete); its length is counted either way, for an estimate. */
  const fits = (text: string): boolean => {
    capture.chars += text.length;
    if (capture.chars > maxChars) capture.truncated = true;
    return !capture.truncated;
  };
  const sink: StreamTextSink = {
    text(choice, text) {
      if (fits(text)) (capture.text[choice] ??= []).push(text);
    },
    reasoning(text) {
      if (fits(text)) capture.reasoning.push(text);
    },
    call(choice, index, name, args) {
      if (!fits((name ?? '') + (args ?? ''))) return;
      // A Gemini call (index -1) is whole: always a new one. Others: the call of that choice and index.
      let call = index < 0 ? undefined : capture.calls.find((c) => c.index === index && c.choice === choice);
      if (!call) capture.calls.push(call = { choice, index: index < 0 ? capture.calls.length : index, name: '', args: [] });
      if (name) call.name += name;
      if (args) call.args.push(args);
    },
  };
  exchange.set(STREAM_CAPTURE, capture);
  response.events = observeStream(response.events, {
    event: (ev: StreamEvent) => { if (isObject(ev.data)) read(ev.data, ev.event, sink); },
    end: (complete) => { capture.complete = complete; },
  });
}
