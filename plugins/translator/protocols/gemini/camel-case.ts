// Google's API reads proto JSON, which takes every field under its lowerCamel name or its
// snake_case proto name, and Google's own curl examples write `system_instruction`,
// `generation_config`, `function_declarations`, `tool_config`, `inline_data {mime_type}`. The
// decoders read lowerCamel only, so a translated request with the other spelling lost its tools,
// images and generation settings. The request's own keys are renamed here, where the structure is
// known; what a client or model wrote inside them (call `args`, a `response`, a schema's property
// names) is never touched.
import { isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';

type Walk = (v: JsonValue) => JsonValue;
/** A key the decoders read: `true` keeps its value as written, a Walk renames inside it. */
type Known = Readonly<Record<string, Walk | true>>;

function camel(key: string): string {
  if (!key.includes('_')) return key;
  const [head, ...rest] = key.split('_');
  return head + rest.map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : '')).join('');
}

/**
 * An object whose known keys are renamed (only the decoders' keys: any other key keeps the
 * client's spelling, so a dropped field is reported as it was sent).
 */
function obj(known: Known = {}): Walk {
  return (v) => {
    if (!isObject(v)) return v;
    let out: JsonObject | undefined; // copied only when something changes
    for (const [key, value] of Object.entries(v)) {
      const name = camel(key);
      const walk = known[name];
      if (walk === undefined) continue;
      const walked = walk === true ? value : walk(value);
      if (name === key && walked === value) continue;
      out ??= { ...v };
      if (name !== key) {
        delete out[key];
        // Both spellings given: the lowerCamel one wins, as the decoders always read it.
        if (v[name] !== undefined) continue;
      }
      out[name] = walked;
    }
    return out ?? v;
  };
}

function list(walk: Walk): Walk {
  return (v) => {
    if (!Array.isArray(v)) return v;
    const walked = v.map(walk);
    return walked.some((w, i) => w !== v[i]) ? walked : v;
  };
}

const MEDIA = obj({ mimeType: true, fileUri: true });
// A function response's own parts are parts too (media returned by a tool, Gemini 3).
const PART: Walk = (v) => partWalk(v);
const partWalk = obj({
  thoughtSignature: true, inlineData: MEDIA, fileData: MEDIA,
  functionCall: true, functionResponse: obj({ parts: list(PART) }),
});
const CONTENT = obj({ parts: list(PART) });

const GENERATE_REQUEST = obj({
  contents: list(CONTENT),
  systemInstruction: CONTENT,
  tools: list(obj({ functionDeclarations: list(obj({ parametersJsonSchema: true })) })),
  toolConfig: obj({ functionCallingConfig: obj({ allowedFunctionNames: true }) }),
  generationConfig: obj({
    maxOutputTokens: true, topP: true, topK: true, stopSequences: true, candidateCount: true,
    presencePenalty: true, frequencyPenalty: true,
    responseMimeType: true, responseSchema: true, responseJsonSchema: true,
    thinkingConfig: obj({ thinkingBudget: true, thinkingLevel: true, includeThoughts: true }),
  }),
});

/** A generateContent (or countTokens) request with its protocol keys in lowerCamel spelling. */
export function camelCaseGenerateRequest(body: JsonObject): JsonObject {
  return GENERATE_REQUEST(body) as JsonObject;
}

const COUNT_REQUEST = obj({ generateContentRequest: true });

/** A countTokens request: bare `contents`, or a whole `generateContentRequest` (renamed when decoded). */
export function camelCaseCountRequest(body: JsonObject): JsonObject {
  return COUNT_REQUEST(body) as JsonObject;
}

const EMBED_REQUEST = obj({ content: CONTENT, outputDimensionality: true, taskType: true });
const BATCH_EMBED_REQUEST = obj({ requests: list(EMBED_REQUEST) });

/** An embedContent or batchEmbedContents request (`output_dimensionality`, `task_type`…). */
export function camelCaseEmbedRequest(body: JsonObject): JsonObject {
  return BATCH_EMBED_REQUEST(EMBED_REQUEST(body)) as JsonObject;
}
