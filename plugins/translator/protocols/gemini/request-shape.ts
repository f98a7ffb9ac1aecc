// What the Gemini request decoder (request-decode.ts, parts-decode.ts, core's readGeneratePart)
// reads of each kind of object. Every other key is a dropped field, reported by its path
// (dropped-fields.ts); keep this in step with the decoder — the shape tests check each key here is read.
import { asObject, asString, isObject, type JsonObject } from '../../../../core/index.js';
import { compileShape, type ShapeSpec } from '../../dropped-fields.js';
import { PDF } from '../../documents.js';

/** Media as the decoder reads it: images and PDFs; audio, video and the rest have no IR part. */
function mediaVariant(p: JsonObject): string | undefined {
  for (const key of ['inlineData', 'fileData'] as const) {
    const media = asObject(p[key]);
    if (!media) continue;
    const mime = asString(media['mimeType']) ?? '';
    return mime.startsWith('image/') || mime === PDF ? key : `${key} ${mime || 'without mimeType'}`;
  }
  return undefined;
}

const MEDIA_VARIANTS = {
  inlineData: { keys: { inlineData: { keys: { mimeType: true, data: true } } } },
  fileData: { keys: { fileData: { keys: { mimeType: true, fileUri: true } } } },
} as const;

/** A part, by what the decoder takes it for (the same order as core's readGeneratePart). */
function partVariant(p: JsonObject): string | undefined {
  if (typeof p['text'] === 'string') return p['thought'] === true ? 'thought' : 'text';
  if (isObject(p['functionCall'])) return 'functionCall';
  if (isObject(p['functionResponse'])) return 'functionResponse';
  const media = mediaVariant(p);
  if (media) return media;
  for (const key in p) if (key !== 'thought' && key !== 'thoughtSignature') return key; // executableCode, codeExecutionResult…
  return 'signature'; // a part holding only a signature closes the thinking before it
}

const PART: ShapeSpec = {
  variant: partVariant,
  variants: {
    text: { keys: { text: true, thought: true, thoughtSignature: true } },
    thought: { keys: { text: true, thought: true, thoughtSignature: true } },
    signature: { keys: { thought: true, thoughtSignature: true } },
    functionCall: { keys: { functionCall: { keys: { id: true, name: true, args: true } }, thoughtSignature: true } },
    functionResponse: {
      keys: {
        functionResponse: {
          keys: {
            id: true, name: true, response: true,
            parts: { variant: (p) => mediaVariant(p) ?? Object.keys(p)[0], variants: MEDIA_VARIANTS, othersDropped: true },
          },
        },
      },
    },
    ...MEDIA_VARIANTS,
  },
  othersDropped: true,
};

const SYSTEM: ShapeSpec = {
  keys: {
    // A system instruction's role says nothing the field does not.
    role: 'consumed',
    parts: { variant: (p) => (typeof p['text'] === 'string' ? 'text' : Object.keys(p)[0]), variants: { text: { keys: { text: true } } }, othersDropped: true },
  },
};

export const GEMINI_REQUEST_SHAPE = compileShape({
  keys: {
    contents: { keys: { role: true, parts: PART } },
    systemInstruction: SYSTEM, system_instruction: SYSTEM,
    tools: { keys: { functionDeclarations: { keys: { name: true, description: true, parametersJsonSchema: true, parameters: true } } } },
    toolConfig: { keys: { functionCallingConfig: { keys: { mode: true, allowedFunctionNames: true } } } },
    generationConfig: {
      keys: {
        maxOutputTokens: true, temperature: true, topP: true, topK: true, stopSequences: true, candidateCount: true,
        seed: true, presencePenalty: true, frequencyPenalty: true,
        responseMimeType: true, responseSchema: true, responseJsonSchema: true,
        thinkingConfig: { keys: { thinkingBudget: true, thinkingLevel: true, includeThoughts: true } },
      },
    },
  },
});
