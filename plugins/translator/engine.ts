// Everything the translator does per request, in one module the plugin imports on first use: the
// protocol codecs are some 50 modules, and `sluice config validate` / `sluice plugins` (which run
// the plugin's setup) never translate anything.
export { translateCount } from './count-tokens.js';
export { translateEmbeddings } from './embeddings.js';
export { checkGeneration, generationTranslator, translateGenerationBack } from './generate.js';
