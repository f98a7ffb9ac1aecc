// How much answer a stream carried, and whether it ran to its end — so a stream cut before the
// provider's final usage report (OpenAI Chat and Responses report only at the end, Anthropic its
// output at the end) is charged for what went out, not for nothing. One meter per exchange, however
// many plugins ask: the limits and the marketplace read the same figures.
import { stateKey, type Exchange } from '../exchange.js';
import { estimateRequestTokens, estimateTokensOfLength } from './estimate.js';
import { isObject } from './json.js';
import { observeStream, type StreamObserver } from './observe-stream.js';
import { streamTextReader, type StreamTextReader, type StreamTextSink } from './stream-text.js';
import type { StreamEvent, Usage } from './types.js';

/** What a metered stream carried so far. */
export interface StreamTextMeter {
  /** Characters of answer text, shown reasoning, tool-call names and arguments seen. */
  readonly chars: number;
  /** True once the stream ran to its end; false while it runs and when it was cut. */
  readonly complete: boolean;
}

/** The meter is its own sink and observer: one object per stream, nothing per event. */
class Meter implements StreamTextMeter, StreamTextSink, StreamObserver {
  chars = 0;
  complete = false;
  constructor(private readonly read: StreamTextReader) {}
  text(_choice: number, text: string): void { this.chars += text.length; }
  reasoning(text: string): void { this.chars += text.length; }
  call(_choice: number, _index: number, name: string | undefined, args: string | undefined): void {
    if (name) this.chars += name.length;
    if (args) this.chars += args.length;
  }
  event(ev: StreamEvent): void { if (isObject(ev.data)) this.read(ev.data, ev.event, this); }
  end(complete: boolean): void { this.complete = complete; }
}

const METER = stateKey<Meter>('core.streamTextMeter');

/**
 * Meters the exchange's streamed answer (call it after `next()`, once the response is set); the
 * meter already there when another plugin asked first. Undefined when the response is not a stream
 * of a protocol that carries an answer.
 */
export function meterStreamText(exchange: Exchange): StreamTextMeter | undefined {
  const existing = exchange.get(METER);
  if (existing) return existing;
  const response = exchange.response;
  if (!response || response.kind !== 'stream') return undefined;
  const read = streamTextReader(response.protocol);
  if (!read) return undefined;
  const meter = new Meter(read);
  exchange.set(METER, meter);
  response.events = observeStream(response.events, meter);
  return meter;
}

/** The exchange's meter, when a plugin installed one (meterStreamText). */
export function streamTextMeter(exchange: Exchange): StreamTextMeter | undefined {
  return exchange.get(METER);
}

/**
 * The usage to charge for a metered stream that was cut short (client gone, shutdown, upstream cut
 * after the commit); undefined when the stream was not metered or ran to its end — then the
 * provider's report (or its absence) stands. What the provider reported so far is kept; input it
 * did not report is the request's estimate (`requestTokens`, else estimateRequestTokens of the
 * request); output is the larger of what it reported and the estimate of the text that went out.
 * The ledger's `partial` rows follow the same rule.
 */
export function cutStreamUsage(exchange: Exchange, reported: Usage | undefined, requestTokens?: number): Usage | undefined {
  const meter = exchange.get(METER);
  if (!meter || meter.complete) return undefined;
  const usage: Usage = reported
    ? { ...reported, estimated: true }
    : { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true };
  if (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens === 0) usage.inputTokens = requestTokens ?? estimateRequestTokens(exchange.view());
  usage.outputTokens = Math.max(usage.outputTokens, estimateTokensOfLength(meter.chars));
  return usage;
}
