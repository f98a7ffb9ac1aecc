// Chain composition. Production uses koa-compose; tests and dev use a checking variant that names
// the plugin that forgot to await next(), called it twice, or returned without next() or an answer.
import compose from 'koa-compose';
import type { PluginMiddleware, SluiceContext } from './contract.js';

export interface NamedMiddleware {
  name: string;
  middleware: PluginMiddleware;
}

export function composeChain(chain: NamedMiddleware[], checked: boolean): (ctx: SluiceContext, next: () => Promise<void>) => Promise<void> {
  const list = checked ? chain.map(checkMiddleware) : chain.map((m) => m.middleware);
  return compose(list) as (ctx: SluiceContext, next: () => Promise<void>) => Promise<void>;
}

function checkMiddleware({ name, middleware }: NamedMiddleware): PluginMiddleware {
  return async (ctx, next) => {
    let calls = 0;
    let downstreamDone = true;
    const wrappedNext = async () => {
      calls++;
      if (calls > 1) throw new Error(`plugin ${name} called next() more than once`);
      downstreamDone = false;
      try { return await next(); } finally { downstreamDone = true; }
    };
    await middleware(ctx, wrappedNext);
    if (!downstreamDone) throw new Error(`plugin ${name} returned before the rest of the chain finished: await (or return) next()`);
    // Else the request fails later as "the chain finished without a response", naming nobody.
    if (calls === 0 && ctx.exchange.response === undefined) {
      throw new Error(`plugin ${name} neither called next() nor answered: await next(), or answer with exchange.reply() or a GatewayError`);
    }
  };
}
