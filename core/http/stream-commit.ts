// Committing an upstream stream: nothing reaches the client before the stream's first content
// event, so a stream that fails before it (an error event, preamble then an error, an early end)
// is still an ordinary upstream failure that can fall back or become a real HTTP error. After the
// commit the stream is checked to its end: one that stops without its protocol's terminal event
// is truncated, and says so in-stream instead of passing for a complete answer.
import { GatewayError } from '../errors.js';
import { CheckedStream } from './checked-stream.js';
import type { StreamResponse } from '../exchange.js';
import { phaseReader, streamError, type StreamPhase } from '../protocols/stream-phase.js';
import type { StreamEvent } from '../protocols/types.js';

export interface CommitOptions {
  /** Provider name, for error messages. */
  provider: string;
  /**
   * How long, from the upstream's headers, the stream may be held back waiting for content. A model
   * that thinks silently (after its preamble, or before any event) would otherwise leave the client
   * without headers (and without keep-alives) until it speaks; past this the stream commits and a
   * later failure travels in-stream.
   */
  holdMs: number;
  /**
   * Sees every event the upstream sent but sentinels and unreadable lines, in order, as it is read:
   * the preamble as it is held, so that a client gone during the hold (whose request is recorded
   * then) still has the usage the preamble reported (Anthropic's `message_start`: input and cache
   * tokens); an error event before the commit too, before the failure is thrown (Responses'
   * `response.failed` carries the failed response's usage). What a stream that fails before its
   * commit had observed is the caller's to keep or take back.
   */
  observe(ev: StreamEvent): void;
  /** What goes downstream for an observed event: itself, another in its place, or nothing (undefined). All of them when absent. */
  pass?(ev: StreamEvent): StreamEvent | undefined;
}

const HOLD_EXPIRED = Symbol('hold expired');
const unchecked = (): StreamPhase => 'content';

/** Resolves once the stream is committed; rejects with the upstream failure if it failed before. */
export async function commitStream(response: StreamResponse, opts: CommitOptions): Promise<StreamResponse> {
  const { protocol } = response;
  const known = phaseReader(protocol);
  const read = known ?? unchecked;
  const sentinelEnds = protocol.family === 'openai' && protocol.operation === 'chat';
  // Chat's finish_reason chunk may be followed by usage (and other choices), Gemini's by nothing
  // that says so: only these protocols' terminal events are certainly their last.
  const terminalEnds = (protocol.family === 'anthropic' && protocol.operation === 'messages') || (protocol.family === 'openai' && protocol.operation === 'responses');
  const iterator = response.events[Symbol.asyncIterator]();
  const held: StreamEvent[] = [];
  /** The terminal event (or an in-stream error) was seen; a protocol Sluice cannot check counts as complete. */
  let complete = known === undefined;
  /** Content or the terminal event was read (or the protocol cannot be checked): the commit's reason, unless the hold expired. */
  let answered = complete;
  let sourceDone = false;
  /** The protocol's last event was read (see terminalEnds). */
  let ended = false;
  /** A read still in flight when the hold expired; the committed stream picks it up. */
  let pending: Promise<IteratorResult<StreamEvent>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The hold counts from the upstream's headers, not from its first event: one that answered 200
  // and then thinks without a word (no preamble) must not leave its client without a byte either.
  const expiry = new Promise<typeof HOLD_EXPIRED>((resolve) => { timer = setTimeout(resolve, opts.holdMs, HOLD_EXPIRED); });

  try {
    for (;;) {
      const next = iterator.next();
      const r = await Promise.race([next, expiry]);
      if (r === HOLD_EXPIRED) {
        pending = next;
        pending.catch(() => undefined); // read (and its failure reported) by the committed stream
        break;
      }
      if (r.done) {
        sourceDone = true;
        if (!complete) throw truncated(opts.provider);
        break;
      }
      const phase = read(r.value);
      if (phase === 'error') {
        opts.observe(r.value);
        throw streamError(protocol, opts.provider, r.value);
      }
      if (phase === 'malformed') throw malformed(opts.provider);
      // Before the commit nothing but preamble (or unreadable lines) came: a `[DONE]` now ends an
      // empty stream, not a complete one — no content and no finish_reason, which a translated
      // client would otherwise get as a finished empty answer (Anthropic's end_turn).
      if (phase === 'sentinel') continue;
      opts.observe(r.value);
      held.push(r.value);
      if (phase === 'terminal') { complete = answered = true; ended = terminalEnds; break; }
      if (phase === 'content') { answered = true; break; }
    }
  } catch (err) {
    clearTimeout(timer);
    await iterator.return?.(); // releases the upstream connection
    throw err;
  }
  clearTimeout(timer);

  return {
    ...response,
    ...(answered ? {} : { waited: true as const }),
    events: new CheckedStream({
      held, source: iterator, pending, sourceDone, complete, answered, read, sentinelEnds, terminalEnds, ended,
      observe: opts.observe, pass: opts.pass, truncated: () => truncated(opts.provider), malformed: () => malformed(opts.provider), release: response.release,
    }),
  };
}

function truncated(provider: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_TRUNCATED', `provider ${provider} ended the stream before it was complete`);
}

/** An event that is not JSON: what it carried is lost, so the answer stops there, incomplete — a truncation like an early end. */
function malformed(provider: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_TRUNCATED', `provider ${provider} sent a stream event that is not JSON; the answer is incomplete`);
}
