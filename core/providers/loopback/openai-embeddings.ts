// Loopback embeddings: deterministic unit vectors, float or base64 as the OpenAI SDK asks.
import { GatewayError } from '../../errors.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';
import { beyondBound, checkEmbeddingValues, embeddingDimensions, MAX_EMBEDDING_INPUTS } from './bounds.js';
import { jsonReply, type LoopbackHandler } from './reply.js';
import { embed, estimateTokens } from './text.js';

const DEFAULT_DIMENSIONS = 256;

export const openaiEmbeddings: LoopbackHandler = (request) => jsonReply(request, embeddings(request.body, request.model));

function embeddings(body: JsonObject, model: string): JsonObject {
  const input = body['input'];
  // Sized before anything is built: a short body can list thousands of empty inputs.
  if (Array.isArray(input) && input.length > MAX_EMBEDDING_INPUTS) {
    throw beyondBound(`'input' has ${input.length} items; at most ${MAX_EMBEDDING_INPUTS} are allowed`, 'input');
  }
  const inputs: string[] =
    typeof input === 'string' ? [input]
    : Array.isArray(input) ? input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
    : [];
  if (inputs.length === 0) throw new GatewayError('SLUICE_E_INVALID_REQUEST', "'input' must be a string or a non-empty list", { param: 'input' });
  const dims = embeddingDimensions(body['dimensions'], DEFAULT_DIMENSIONS, 'dimensions');
  checkEmbeddingValues(inputs.length * dims, 'input');
  const base64 = body['encoding_format'] === 'base64';
  const data: JsonValue[] = inputs.map((text, index) => {
    const vector = embed(text, dims);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
  });
  const tokens = inputs.reduce((n, s) => n + estimateTokens(s), 0);
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
