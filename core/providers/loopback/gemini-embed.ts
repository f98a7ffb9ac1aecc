// Loopback Gemini embeddings: embedContent → {embedding}, batchEmbedContents → {embeddings}.
import { GatewayError } from '../../errors.js';
import { asArray, asObject, asString } from '../../protocols/json.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';
import { beyondBound, checkEmbeddingValues, embeddingDimensions, MAX_EMBEDDING_BATCH } from './bounds.js';
import { jsonReply, type LoopbackHandler } from './reply.js';
import { embed } from './text.js';

/** text-embedding-004 and gemini-embedding-001 answer with 768 values unless asked otherwise. */
const DEFAULT_DIMENSIONS = 768;

export const geminiEmbed: LoopbackHandler = (request) => {
  const body = request.body;
  if (Array.isArray(body['requests'])) {
    const listed = asArray(body['requests']);
    // Gemini's own limit, checked before anything is built.
    if (listed.length > MAX_EMBEDDING_BATCH) {
      throw beyondBound(`requests: at most ${MAX_EMBEDDING_BATCH} requests can be in one batch (${listed.length} given)`, 'requests');
    }
    const requests = listed.map(asObject).filter((r): r is JsonObject => r !== undefined);
    if (requests.length === 0) throw new GatewayError('SLUICE_E_INVALID_REQUEST', "'requests' must not be empty", { param: 'requests' });
    const dims = requests.map((r, i) => dimensionsOf(r, `requests[${i}].outputDimensionality`));
    checkEmbeddingValues(dims.reduce((n, d) => n + d, 0), 'requests');
    return jsonReply(request, { embeddings: requests.map((r, i) => embedding(r, dims[i]!)) });
  }
  return jsonReply(request, { embedding: embedding(body, dimensionsOf(body, 'outputDimensionality')) });
};

function dimensionsOf(req: JsonObject, param: string): number {
  return embeddingDimensions(req['outputDimensionality'], DEFAULT_DIMENSIONS, param);
}

function embedding(req: JsonObject, dims: number): JsonValue {
  const text = asArray(asObject(req['content'])?.['parts']).map((p) => asString(asObject(p)?.['text']) ?? '').join('\n');
  return { values: embed(text, dims) };
}
