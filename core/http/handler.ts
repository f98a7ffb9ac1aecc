// The data-plane request handler: ingress → plugin chain → dispatch → egress, with one
// completion record per request whatever happens.
import type { GatewayError } from '../errors.js';
import { toGatewayError } from '../errors.js';
import type { Completion, Exchange } from '../exchange.js';
import type { Logger } from '../observability/logger.js';
import type { SluiceContext } from '../plugin/contract.js';
import type { ApiFamily } from '../protocols/types.js';
import { dispatch, type DispatchOptions } from './dispatch.js';
import { overheadMs, setCommonHeaders, writeError, writeJson, writeStream, type StreamWriter } from './egress.js';
import type { Cut, InFlight } from './in-flight.js';
import type { Endpoint } from '../exchange.js';
import type { BodyLimits } from './body.js';
import { createExchange } from './ingress.js';
import { boundedForLog, outcomeFor } from './request-log.js';
import type { RequestMetrics } from './request-metrics.js';

export interface HandlerOptions {
  chain: (ctx: SluiceContext, next: () => Promise<void>) => Promise<void>;
  bodyLimits: BodyLimits;
  keepAliveMs: number;
  logger: Logger;
  metrics: RequestMetrics;
  /** Where each request registers how to cut it short at the shutdown deadline. */
  inFlight: InFlight;
}

export function createDataPlaneHandler(opts: HandlerOptions) {
  const innermost = () => Promise.resolve();
  // A stream's preamble is held back at most one keep-alive interval: past that the client needs
  // headers and keep-alives more than the chance of a fallback.
  const dispatchOptions: DispatchOptions = { holdMs: opts.keepAliveMs };
  return async function handle(ctx: SluiceContext, endpoint: Endpoint, id: string, receivedAt: number, pathModel?: string): Promise<void> {
    const abort = new AbortController();
    let exchange: Exchange | undefined;
    let complete: ((c: Completion) => void) | undefined;
    let failure: GatewayError | undefined;
    let firstByteAt: number | undefined;
    let streamed = false;
    let writer: StreamWriter | undefined;
    /** Set when the shutdown deadline cut this request short. */
    let cutBy: GatewayError | undefined;
    let finished = false;

    const cut: Cut = (error) => {
      if (ctx.res.writableEnded) return responseSettled(ctx); // already answered in full
      cutBy = error;
      const flushed = writer ? writer.cut(error) : responseSettled(ctx);
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
      // Gone before any answer was written: nginx's 499, not koa's default 404.
      const status = clientGone && !ctx.res.headersSent ? 499 : ctx.status;
      const outcome: Completion['outcome'] = cutBy ? 'error' : outcomeFor(failure, status, clientGone);
      const firstByteMs = firstByteAt !== undefined ? firstByteAt - receivedAt : undefined;
      const completion: Completion = { outcome, status, usage: exchange?.usage, error: failure, firstByteMs, totalMs };
      complete?.(completion);
      opts.metrics.record(endpoint, exchange, completion);
      opts.logger.info('request', {
        request_id: id, endpoint: endpoint.id, model: boundedForLog(exchange?.model), provider: exchange?.target?.provider.name,
        served_model: boundedForLog(exchange?.target?.model), stream: exchange?.stream ?? false, status, outcome,
        error: failure?.code, ms: Math.round(totalMs * 1000) / 1000, ttfb_ms: firstByteMs && Math.round(firstByteMs * 1000) / 1000,
        usage: exchange?.usage, fallbacks: exchange?.attempts.length ? exchange.attempts : undefined,
      });
    };

    ctx.res.once('close', () => {
      const gone = !ctx.res.writableFinished;
      if (gone) abort.abort();
      if (!streamed || gone) finish(gone);
    });

    try {
      const handle = await createExchange({
        id, endpoint, req: ctx.req, query: ctx.query as Record<string, string>, clientIp: ctx.ip,
        receivedAt, bodyLimits: opts.bodyLimits, signal: abort.signal, pathModel,
      });
      exchange = handle.exchange;
      complete = handle.complete;
      ctx.state.exchange = exchange;
      await opts.chain(ctx, () => dispatch(ctx, dispatchOptions).then(innermost));
      if (cutBy) throw cutBy; // whatever answered, the shutdown deadline came first
      const response = exchange.response;
      if (!response) throw new Error('the chain finished without a response');
      setCommonHeaders(ctx, exchange, response.headers);
      ctx.set('x-sluice-overhead-ms', overheadMs(exchange));
      if (response.kind === 'json') {
        firstByteAt = performance.now();
        writeJson(ctx, response.status, response.body);
        return;
      }
      streamed = true;
      writer = writeStream(ctx, response, {
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
      if (exchange) setCommonHeaders(ctx, exchange, {});
      ctx.set('x-sluice-overhead-ms', exchange ? overheadMs(exchange) : (performance.now() - receivedAt).toFixed(3));
      const family: ApiFamily = exchange?.clientFamily ?? endpoint.family;
      writeError(ctx, family, failure);
      firstByteAt = performance.now();
    }
  };
}

/** Resolves once the response has been written out or its connection closed. */
function responseSettled(ctx: SluiceContext): Promise<void> {
  const res = ctx.res;
  return new Promise<void>((resolve) => {
    if (res.writableFinished || res.destroyed) { resolve(); return; }
    res.once('finish', resolve);
    res.once('close', resolve);
  });
}
