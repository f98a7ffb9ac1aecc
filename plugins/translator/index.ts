// The translator: lets any client reach any provider. The router decides which protocol each
// upstream call speaks; the translator rewrites the request into it and the answer back, streaming
// or not, through one intermediate representation (ir.ts) and a codec per protocol.
import { definePlugin, operationClass } from '../../core/index.js';
import { translateCount } from './count-tokens.js';
import { translateEmbeddings } from './embeddings.js';
import { checkGeneration, generationTranslator, translateGenerationBack } from './generate.js';
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
    const logger = host.logger;
    const translate = generationTranslator(logger);
    return {
      middleware: async (ctx, next) => {
        const exchange = ctx.exchange;
        if (!exchange.target) return next(); // answered by an earlier plugin (model listings)
        const op = operationClass(exchange.endpoint.operation);
        if (op === 'generate') {
          // The hot path: no per-request closures (see generationTranslator).
          checkGeneration(exchange);
          exchange.translate = translate;
          await next();
          translateGenerationBack(exchange, logger);
          return;
        }
        const translateBack = op === 'count' ? translateCount(exchange)
          : op === 'embed' ? translateEmbeddings(exchange)
          : undefined;
        await next();
        translateBack?.();
      },
    };
  },
});
