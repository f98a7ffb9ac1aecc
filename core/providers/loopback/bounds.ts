// What loopback will generate for one request. Loopback runs on the gateway's own event loop, so an
// answer that costs more than a few milliseconds to build and serialise stalls every other request,
// /health included. Each bound keeps the largest answer cheap; docs/loopback.md lists them with the
// choice made when a request asks for more (a 400, or a clamp where a real provider would clamp).
import { GatewayError } from '../../errors.js';

/** OpenAI's own limit on inputs in one embeddings request. */
export const MAX_EMBEDDING_INPUTS = 2048;
/** Gemini's own limit on requests in one batchEmbedContents call. */
export const MAX_EMBEDDING_BATCH = 100;
/** `dimensions` / `outputDimensionality` above this are refused, as a real model refuses its unsupported sizes. */
export const MAX_EMBEDDING_DIMENSIONS = 4096;
/**
 * Values across all vectors of one request (128 inputs at the default 256 dimensions, 8 at 4096):
 * about 700 KB of JSON. Floats are what makes an embeddings answer expensive — printing one costs
 * about as much as building it — and 131,072 of them held /health for over 100 ms on a busy host.
 */
export const MAX_EMBEDDING_VALUES = 32_768;

/**
 * Characters loopback writes for one answer beyond its short fixed texts: the structured-output
 * JSON, or the names and arguments of its tool calls together.
 */
export const MAX_ANSWER_CHARS = 65_536;
/** Tool calls in one `[[parallel]]` answer; later markers stay text, as a model stops calling at some point. */
export const MAX_TOOL_CALLS = 64;
/** Nesting of a response schema (through properties, items, anyOf/oneOf) loopback will sample. */
export const MAX_SCHEMA_DEPTH = 32;

/** A request asking loopback for more than a bound allows: a 400 that names the field and the bound. */
export function beyondBound(message: string, param: string): GatewayError {
  return new GatewayError('SLUICE_E_INVALID_REQUEST', message, { param });
}

/** The vector size asked for (a positive number), else the model's default; a 400 above the bound. */
export function embeddingDimensions(asked: unknown, fallback: number, param: string): number {
  if (typeof asked !== 'number' || !(asked > 0)) return fallback;
  const dimensions = Math.floor(asked);
  if (dimensions > MAX_EMBEDDING_DIMENSIONS) {
    throw beyondBound(`${param}: ${dimensions} dimensions asked; loopback embeds with at most ${MAX_EMBEDDING_DIMENSIONS}`, param);
  }
  return Math.max(1, dimensions);
}

/** A 400 when the vectors of one request would hold more values than loopback builds. */
export function checkEmbeddingValues(values: number, param: string): void {
  if (values > MAX_EMBEDDING_VALUES) {
    throw beyondBound(`${param}: these embeddings would hold ${values} values; loopback answers at most ${MAX_EMBEDDING_VALUES} per request (fewer inputs or fewer dimensions)`, param);
  }
}
