// The translator: lets any client reach any provider. The router decides which protocol each
// upstream call speaks; the translator rewrites the request into it and the answer back, streaming
// or not, through one intermediate representation (ir.ts) and a codec per protocol.
import { definePlugin, operationClass } from '../../core/index.js';
import { translateCount } from './count-tokens.js';
import { translateEmbeddings } from './embeddings.js';
import { translateGeneration } from './generate.js';
import { translatorOptions, type TranslatorOptions } from './options.js';

export default definePlugin<TranslatorOptions>({
  name: 'translator',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'OpenAI Chat, OpenAI Responses, Anthropic Messages and Gemini, each to and from the others, streaming and not',
  options: translatorOptions,
  requires: ['routing'],
  provides: ['translation'],
  setup(_options, host) {
    return {
      middleware: async (ctx, next) => {
        const exchange = ctx.exchange;
        if (!exchange.target) return next(); // answered by an earlier plugin (model listings)
        const op = operationClass(exchange.endpoint.operation);
        const translateBack = op === 'generate' ? translateGeneration(exchange, host.logger)
          : op === 'count' ? translateCount(exchange)
          : op === 'embed' ? translateEmbeddings(exchange)
          : undefined;
        await next();
        translateBack?.();
      },
    };
  },
});
