// Embeddings between Gemini (embedContent / batchEmbedContents) and OpenAI (/v1/embeddings).
// Not a ProtocolCodec: embeddings have no messages, tools or streams, only texts in and vectors out.
import { asArray, asNumber, asObject, asString, isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';
import { invalid } from '../../util.js';
import { camelCaseEmbedRequest } from './camel-case.js';

/** Gemini client → OpenAI upstream request. `taskType` and `title` have no OpenAI equivalent and are dropped. */
export function geminiEmbedToOpenAI(request: JsonObject, model: string, batch: boolean): JsonObject {
  const body = camelCaseEmbedRequest(request);
  const requests = batch ? asArray(body['requests']).map((r) => asObject(r) ?? {}) : [body];
  if (batch && requests.length === 0) throw invalid('requests must be a non-empty array', 'requests');
  const texts = requests.map((r, i) => contentText(r['content'], batch ? `requests[${i}].content` : 'content'));
  const out: JsonObject = { model, input: batch ? texts : (texts[0] as string), encoding_format: 'float' };
  // OpenAI takes one dimension count per call; Gemini batches could differ per request, we use the first.
  const dims = asNumber(requests[0]?.['outputDimensionality']);
  if (dims !== undefined) out['dimensions'] = dims;
  return out;
}

/** OpenAI upstream response → Gemini client response. */
export function openAIEmbeddingsToGemini(response: JsonValue, batch: boolean): JsonObject {
  const data = asArray(asObject(response)?.['data']).map((d) => asObject(d) ?? {});
  data.sort((a, b) => (asNumber(a['index']) ?? 0) - (asNumber(b['index']) ?? 0));
  const vectors = data.map((d) => ({ values: vectorOf(d['embedding']) }));
  return batch ? { embeddings: vectors } : { embedding: vectors[0] ?? { values: [] } };
}

/** OpenAI client → Gemini upstream request (always batchEmbedContents). `user` is dropped. */
export function openAIEmbeddingsToGeminiRequest(body: JsonObject, model: string): JsonObject {
  const input = body['input'];
  const texts = typeof input === 'string' ? [input] : asArray(input);
  if (texts.length === 0 || !texts.every((t): t is string => typeof t === 'string')) {
    // Token-id arrays are an OpenAI tokenizer's ids: meaningless to Gemini.
    throw invalid('input must be a string or an array of strings to reach a Gemini model', 'input');
  }
  const dims = asNumber(body['dimensions']);
  const name = model.startsWith('models/') ? model : `models/${model}`;
  return {
    requests: texts.map((text) => {
      const r: JsonObject = { model: name, content: { parts: [{ text }] } };
      if (dims !== undefined) r['outputDimensionality'] = dims;
      return r;
    }),
  };
}

/**
 * Gemini upstream response → OpenAI client response. Gemini reports no token counts for
 * embeddings, so usage is zero unless the answer carries a usageMetadata (summed over the calls a
 * large batch was split into). `encodingFormat` is the client's encoding_format: base64 means
 * little-endian float32, as OpenAI sends it.
 */
export function geminiEmbeddingsToOpenAI(response: JsonValue, model: string, encodingFormat: 'float' | 'base64' = 'float'): JsonObject {
  const r = asObject(response);
  const prompt = asNumber(asObject(r?.['usageMetadata'])?.['promptTokenCount']) ?? 0;
  const list = r?.['embeddings'] !== undefined ? asArray(r['embeddings']) : [r?.['embedding'] ?? null];
  return {
    object: 'list',
    data: list.map((e, index) => {
      const values = vectorOf(asObject(e)?.['values']);
      return { object: 'embedding', index, embedding: encodingFormat === 'base64' ? toBase64(values) : values };
    }),
    model,
    usage: { prompt_tokens: prompt, total_tokens: prompt },
  };
}

/**
 * The text of one content: Google embeds a content of several parts as one embedding, and OpenAI
 * takes one string per embedding, so the parts are one input. A newline between them, where the
 * seam has no whitespace already, keeps words at the seams apart (parts are separate pieces of
 * text: "hello" and "world" must not become "helloworld"); parts without text (media an OpenAI
 * model cannot embed) add nothing.
 */
function contentText(content: JsonValue | undefined, param: string): string {
  if (typeof content === 'string') return content;
  if (!isObject(content)) throw invalid(`${param} must be a Content object`, param);
  let text = '';
  for (const p of asArray(content['parts'])) {
    const t = asString(asObject(p)?.['text']);
    if (!t) continue;
    text += text === '' || /\s$/.test(text) || /^\s/.test(t) ? t : `\n${t}`;
  }
  return text;
}

function vectorOf(v: JsonValue | undefined): number[] {
  if (typeof v === 'string') return fromBase64(v);
  return asArray(v).filter((n): n is number => typeof n === 'number');
}

export function toBase64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

function fromBase64(text: string): number[] {
  const buf = Buffer.from(text, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
  return out;
}
