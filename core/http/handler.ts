// The data-plane request handler: ingress → plugin chain → dispatch → egress, with one completion
// record per request whatever happens (logged, counted, and handed to every plugin's onRequest).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Completion, Endpoint } from '../exchange.js';
import type { Logger } from '../observability/logger.js';
import type { SluiceContext } from '../plugin/contract.js';
import type { ApiFamily } from '../protocols/types.js';
import { responseText } from '../protocols/raw-json.js';
import { RequestAbort } from './abort.js';
import type { BodyLimits } from './body.js';
import { dispatch, type DispatchOptions } from './dispatch.js';
import { sendError, sendJson, setExchangeHeaders, writeStream, type StreamWriter } from './egress.js';
import type { HttpExchange } from './exchange-impl.js';
import type { Cut, InFlight } from './in-flight.js';
import { closeIfUnread } from './front-door.js';
import { createExchange } from './ingress.js';
import { outcomeFor, type RecordRequest } from './request-log.js';

export interface HandlerOptions {
  chain: (ctx: SluiceContext, next: () => Promise<void>) => Promise<void>;
  bodyLimits: BodyLimits;
  keepAliveMs: number;
  logger: Logger;
  /** Logs, counts and publishes one finished request. */
  record: RecordRequest;
  /** Where each request registers how to cut it short at the shutdown deadline. */
  inFlight: InFlight;
}

/** Where a request came from, resolved once by the caller. */
export interface Arrival {
  id: string;
  receivedAt: number;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  pathModel: string | undefined;
}

export function createDataPlaneHandler(opts: HandlerOptions) {
  // A stream's preamble is held back at most one keep-alive interval: past that the client needs
  // headers and keep-alives more than the chance of a fallback.
  const dispatchOptions: DispatchOptions = { holdMs: opts.keepAliveMs };
  return async function handle(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, arrival: Arrival): Promise<void> {
    const { id, receivedAt } = arrival;
    const abort = new RequestAbort();
    let exchange: HttpExchange | undefined;
    let failure: GatewayError | undefined;
    let firstByteAt: number | undefined;
    let streamed = false;
    let writer: StreamWriter | undefined;
    /** Set when the shutdown deadline cut this request short. */
    let cutBy: GatewayError | undefined;
    let finished = false;

    const cut: Cut = (error) => {
      if (res.writableEnded) return responseSettled(res); // already answered in full
      cutBy = error;
      const flushed = writer ? writer.cut(error) : responseSettled(res);
      abort.abort(); // releases the upstream; a request still in dispatch fails and gets its HTTP error
      return flushed;
    };
    opts.inFlight.add(cut);

    const finish = (clientGone: boolean) => {
      if (finished) return;
      finished = true;
      opts.inFlight.delete(cut);
      failure = cutBy ?? failure;
      const totalMs = performance.now() - receivedAt;
      // Gone before any answer was written: nginx's 499.
      const status = clientGone && !res.headersSent ? 499 : res.statusCode;
      const outcome: Completion['outcome'] = cutBy ? 'error'
        : !failure && exchange?.outcome && !clientGone ? exchange.outcome
        : outcomeFor(failure, status, clientGone);
      const firstByteMs = firstByteAt !== undefined ? firstByteAt - receivedAt : undefined;
      const completion: Completion = { outcome, status, usage: exchange?.usage, error: failure, firstByteMs, totalMs };
      exchange?.complete(completion);
      opts.record({
        id, endpoint: endpoint.id, family: exchange?.clientFamily ?? endpoint.family, method: req.method ?? '', path: pathOf(req),
        peerAddress: arrival.peerAddress, clientAddress: arrival.clientAddress, receivedAt, completion, exchange,
      });
    };

    res.once('close', () => {
      const gone = !res.writableFinished;
      if (gone) abort.abort();
      if (!streamed || gone) finish(gone);
    });

    try {
      exchange = await createExchange({
        id, endpoint, req, query: arrival.query, peerAddress: arrival.peerAddress, clientAddress: arrival.clientAddress,
        receivedAt, bodyLimits: opts.bodyLimits, signal: abort, pathModel: arrival.pathModel,
      });
      const ex = exchange;
      await opts.chain({ exchange: ex }, () => dispatch(ex, dispatchOptions));
      if (cutBy) throw cutBy; // whatever answered, the shutdown deadline came first
      const response = ex.response;
      if (!response) throw new GatewayError('SLUICE_E_INTERNAL', 'the chain finished without a response');
      setExchangeHeaders(res, ex, response.headers);
      if (response.kind === 'json') {
        firstByteAt = performance.now();
        sendJson(res, response.status, responseText(response));
        return;
      }
      streamed = true;
      writer = writeStream(res, response, {
        keepAliveMs: opts.keepAliveMs,
        onFirstByte: () => { firstByteAt ??= performance.now(); },
        onDone: (error, clientGone) => {
          failure ??= error;
          // A disconnect is finished by the 'close' listener; a normal end is finished here.
          if (!clientGone) finish(false);
        },
      });
    } catch (err) {
      failure = cutBy ?? toGatewayError(err);
      if (failure.code === 'SLUICE_E_INTERNAL') opts.logger.error('internal error', { request_id: id, error: failure.cause ?? failure });
      if (res.headersSent) { res.destroy(); return; }
      closeIfUnread(req, res);
      if (exchange) setExchangeHeaders(res, exchange, {});
      else res.setHeader('x-sluice-overhead-ms', (performance.now() - receivedAt).toFixed(3));
      const family: ApiFamily = exchange?.clientFamily ?? endpoint.family;
      firstByteAt = performance.now();
      sendError(res, family, failure);
    }
  };
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Resolves once the response has been written out or its connection closed. */
function responseSettled(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    if (res.writableFinished || res.destroyed) { resolve(); return; }
    res.once('finish', resolve);
    res.once('close', resolve);
  });
}

