// How much answer a stream carried, and whether it ran to its end — so a stream cut before the
// provider's final usage report (OpenAI Chat and Responses report only at the end, Anthropic its
// output at the end) is charged for what went out, not for nothing. One meter per exchange, however
// many plugins ask: the limits and the marketplace read the same figures.
import { stateKey, type Exchange, type Outcome } from '../exchange.js';
import { estimateRequestTokens, estimateTokensOfLength } from './estimate.js';
import { isObject } from './json.js';
import { observeStream, type StreamObserver } from './observe-stream.js';
import { streamTextReader, type StreamTextReader, type StreamTextSink } from './stream-text.js';
import { operationClass, type StreamEvent, type Usage } from './types.js';

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

/**
 * The usage to charge for a call its client abandoned after it went upstream and before any answer
 * (a JSON answer still being worked on, a stream before its first event): the provider has the
 * prompt and bills it, while the answer's size is unknown — so the prompt's estimate as input
 * (`requestTokens`, else estimateRequestTokens of the request) and no output. Undefined when the
 * provider reported usage, the client stayed, the request never went upstream, or a stream had
 * begun (cutStreamUsage judges that one). The ledger's `estimated` rows and the limits follow the
 * same rule, so every book tells the same story of one request.
 */
export function abandonedCallUsage(exchange: Exchange, outcome: Outcome, reported: Usage | undefined, requestTokens?: number): Usage | undefined {
  if (reported || outcome !== 'client_disconnect' || exchange.upstream === undefined || exchange.get(METER)) return undefined;
  const op = operationClass(exchange.endpoint.operation);
  if (op !== 'generate' && op !== 'embed') return undefined;
  const input = requestTokens ?? estimateRequestTokens(exchange.view());
  if (input === 0) return undefined;
  return { inputTokens: input, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true };
}
