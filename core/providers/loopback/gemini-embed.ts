// Loopback Gemini embeddings: embedContent → {embedding}, batchEmbedContents → {embeddings}.
import { GatewayError } from '../../errors.js';
import { asArray, asNumber, asObject, asString } from '../../protocols/json.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';
import { jsonReply, type LoopbackHandler } from './reply.js';
import { embed } from './text.js';

/** text-embedding-004 and gemini-embedding-001 answer with 768 values unless asked otherwise. */
const DEFAULT_DIMENSIONS = 768;

export const geminiEmbed: LoopbackHandler = (request) => {
  const body = request.body;
  if (Array.isArray(body['requests'])) {
    const requests = asArray(body['requests']).map(asObject).filter((r): r is JsonObject => r !== undefined);
    if (requests.length === 0) throw new GatewayError('SLUICE_E_INVALID_REQUEST', "'requests' must not be empty", { param: 'requests' });
    return jsonReply(request, { embeddings: requests.map(embedding) });
  }
  return jsonReply(request, { embedding: embedding(body) });
};

function embedding(req: JsonObject): JsonValue {
  const text = asArray(asObject(req['content'])?.['parts']).map((p) => asString(asObject(p)?.['text']) ?? '').join('\n');
  const asked = asNumber(req['outputDimensionality']);
  const dims = asked && asked > 0 ? Math.min(4096, Math.floor(asked)) : DEFAULT_DIMENSIONS;
  return { values: embed(text, dims) };
}
