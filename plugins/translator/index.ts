// The translator: lets any client reach any provider. The router decides which protocol each
// upstream call speaks; the translator rewrites the request into it and the answer back, streaming
// or not, through one intermediate representation (ir.ts) and a codec per protocol.
import { definePlugin, operationClass, type Exchange, type Target, type UpstreamRequest } from '../../core/index.js';
import { translatorOptions, type TranslatorOptions } from './options.js';

type Engine = typeof import('./engine.js');
let engineModule: Promise<Engine> | undefined;
/** The codecs, imported by the first request (or start) rather than by whoever loads the plugin. */
const loadEngine = (): Promise<Engine> => (engineModule ??= import('./engine.js'));

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
    let engine: Engine | undefined;
    let translate: ((this: Exchange, target: Target) => UpstreamRequest | undefined) | undefined;
    const ready = async (): Promise<Engine> => {
      const e = await loadEngine();
      translate ??= e.generationTranslator(logger);
      return (engine = e);
    };
    /**
     * A generation (the hot path). Not an async function: the chain's promise and one then()
     * instead of an async function's own promise and resumption; no per-request closures in the
     * request's translation (see generationTranslator).
     */
    const translateGeneration = (e: Engine, exchange: Exchange, next: () => Promise<void>): Promise<void> => {
      e.checkGeneration(exchange); // a refusal thrown here reaches the chain as a rejection (its composition catches it)
      exchange.translate = translate!;
      return next().then(() => e.translateGenerationBack(exchange, logger));
    };
    /** Counting and embeddings, and whatever arrives before the engine has loaded. */
    const translateOther = async (exchange: Exchange, next: () => Promise<void>): Promise<void> => {
      const e = engine ?? await ready();
      const op = operationClass(exchange.endpoint.operation);
      if (op === 'generate') return translateGeneration(e, exchange, next);
      const translateBack = op === 'count' ? e.translateCount(exchange)
        : op === 'embed' ? e.translateEmbeddings(exchange)
        : undefined;
      await next();
      translateBack?.();
    };
    return {
      // Loaded before the first request, so it does not wait for the import.
      start: async () => { await ready(); },
      middleware: (ctx, next) => {
        const exchange = ctx.exchange;
        if (!exchange.target) return next(); // answered by an earlier plugin (model listings)
        return engine && operationClass(exchange.endpoint.operation) === 'generate'
          ? translateGeneration(engine, exchange, next)
          : translateOther(exchange, next);
      },
    };
  },
});
