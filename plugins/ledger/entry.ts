// What the writer keeps of a finished request until its row is written: the record's own fields,
// the few facts it needs from the exchange, and the texts the independent count (or an estimate)
// will read — taken in onRequest, so the exchange itself (parsed bodies, headers, stream state,
// signal) is garbage as soon as the request ends. Held until the next cycle (up to a second), an
// exchange outlives the young generation and is promoted, and that GC work cost more per request
// than writing the row (bench/results/ledger.md).
import { operationClass, protocolName, type Exchange, type RequestRecord, type TokenPrices, type Usage } from '../../core/index.js';
import { STREAM_CAPTURE } from './capture.js';
import type { LedgerOptions } from './options.js';
import type { LedgerRow } from './row.js';
import { declaresTools, requestText, responseText, type RequestText, type ResponseText } from './texts.js';

export interface LedgerEntry extends Omit<RequestRecord, 'exchange'> {
  /** `family.operation` of the endpoint the client called, when a body was parsed. */
  readonly clientProtocol: string | null;
  /** A model call that reached a provider: the only kind that can be billed. */
  readonly called: boolean;
  readonly embedding: boolean;
  /** A response (of any status) was set on the exchange. */
  readonly responded: boolean;
  /** A stream that did not run to its end (streamCut). */
  readonly cut: boolean;
  /** The answering provider's own prices (kept by the exchange even if it was removed since: a withdrawn offer). */
  readonly prices: TokenPrices | undefined;
  readonly market: Pick<LedgerRow, 'direction' | 'offer_id'>;
  /** Read only when the row needs them (the count is on, or there is no usage report to go by); the request's, only where it can be used (inputFigureMissing). */
  readonly request: RequestText | undefined;
  readonly answer: ResponseText | undefined;
  /** Reading the texts failed: the row is then built from what the record says (fallbackRow). */
  readonly textError: unknown;
}

/** Takes what the row needs from a record; never throws (a failure to read texts is kept for the writer). */
export function entryOf(r: RequestRecord, options: LedgerOptions): LedgerEntry {
  const ex = r.exchange;
  const op = ex?.endpoint.operation;
  const called = ex !== undefined && ex.upstream !== undefined && op !== undefined && op !== 'count_tokens' && op !== 'models'
    && (operationClass(op) === 'generate' || operationClass(op) === 'embed');
  let request: RequestText | undefined;
  let answer: ResponseText | undefined;
  let textError: unknown;
  const cut = r.stream && ex !== undefined && streamCut(ex);
  const missing = inputFigureMissing(r.usage, cut);
  if (called && (options.count.enabled || missing)) {
    try {
      answer = responseText(ex, options.count.max_chars);
      // The request's texts are read where a figure is missing, or where its prompt is countable (no tools: checked once, here).
      if (missing) request = requestText(ex, options.count.max_chars);
      else if (!declaresTools(ex.upstream?.body ?? ex.readRequest())) request = requestText(ex, options.count.max_chars, true);
    } catch (err) {
      textError = err;
    }
  }
  const target = ex?.target;
  return {
    id: r.id, time: r.time, method: r.method, path: r.path, endpoint: r.endpoint, family: r.family,
    peerAddress: r.peerAddress, clientAddress: r.clientAddress, principal: r.principal, sessionId: r.sessionId,
    model: r.model, provider: r.provider, servedModel: r.servedModel, attempts: r.attempts, stream: r.stream,
    status: r.status, outcome: r.outcome, errorCode: r.errorCode, usage: r.usage, findings: r.findings,
    firstByteMs: r.firstByteMs, totalMs: r.totalMs,
    clientProtocol: ex ? protocolName(ex.endpoint) : null,
    called, embedding: op === 'embeddings' || op === 'embed', responded: ex?.response !== undefined, cut,
    prices: target?.provider.prices, market: market(r),
    request, answer, textError, arrivalKey: r.arrivalKey,
  };
}

/**
 * True when the row needs an input figure the provider did not give: no usage report, or a stream
 * cut short (its report may lack the input). Only then, or when the prompt is countable (no tools,
 * no image, audio or file) and so can be set against the bill, does the row use the request's
 * texts. An agent's prompt declares tools and resends the whole history every turn: reading and
 * counting it anyway cost ~90 µs of the request path and ~80 µs of the writer's a request at 24 KB
 * of history (bench/ledger-agent.ts), for a figure nothing used.
 */
export function inputFigureMissing(usage: Usage | undefined, cut: boolean): boolean {
  return !usage || (!usage.estimated && cut);
}

/**
 * A streamed request's answer did not run to its end: cut after its commit (the capture saw no
 * end), or given up while its preamble was held (no response yet; the usage the preamble reported
 * is kept: core's dispatch). Known whether or not the texts are read.
 */
function streamCut(ex: Exchange): boolean {
  const capture = ex.get(STREAM_CAPTURE);
  return capture ? !capture.complete : ex.response === undefined;
}

/**
 * Whether the request involved a marketplace: served by a provider an offer became (`consumed`, with
 * the offer's id), or asked with a marketplace buyer's key (`supplied`). A bought request that fell
 * back to a local provider was not served by the offer, so it is not consumed.
 */
export function market(record: RequestRecord): Pick<LedgerRow, 'direction' | 'offer_id'> {
  const offer = record.exchange?.target?.provider.offer;
  if (offer && record.exchange?.target?.provider.name === record.provider) return { direction: 'consumed', offer_id: offer.id };
  if (record.principal?.keyKind === 'marketplace') return { direction: 'supplied', offer_id: null };
  return NO_MARKET;
}
const NO_MARKET: Pick<LedgerRow, 'direction' | 'offer_id'> = Object.freeze({ direction: null, offer_id: null });
