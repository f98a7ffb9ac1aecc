// IR → Gemini generateContent body (Gemini as the upstream). No `model` or `stream` in the body:
// the provider puts both in the URL.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest, IrToolChoice } from '../../ir.js';
import { encodeParts } from './parts-encode.js';
import { reasoningToGemini } from './thinking.js';

/**
 * Gemini 3 rejects a model turn whose first function call has no thought signature; history from
 * another provider has none. Google documents this value as the way to skip that validation.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

const MAX_OUTPUT_TOKENS = 65536;
/** generationConfig.stopSequences holds "up to 5" (Gemini API reference); Anthropic takes any number. */
const GEMINI_MAX_STOP_SEQUENCES = 5;

export function encodeGeminiRequest(req: IrRequest): JsonObject {
  const system: JsonObject[] = req.system.filter((t) => t.text !== '').map((t) => ({ text: t.text }));
  const contents: JsonObject[] = [];
  const callNames = new Map<string, string>();
  for (const m of req.messages) {
    if (m.role === 'system') {
      // Gemini has one system instruction: mid-conversation system messages join it, in order.
      for (const p of m.parts) if (p.type === 'text' && p.text !== '') system.push({ text: p.text });
      continue;
    }
    const parts = encodeParts(m.parts, callNames).filter(hasData);
    if (parts.length === 0) continue;
    const role = m.role === 'assistant' ? 'model' : 'user';
    if (role === 'model') signFirstCall(parts);
    const prev = contents[contents.length - 1];
    // All responses to one model turn's calls must come in one user turn (Chat sends one message each).
    if (prev && role === 'user' && prev['role'] === 'user' && isResponse(lastPart(prev)) && isResponse(parts[0])) {
      (prev['parts'] as JsonObject[]).push(...parts);
    } else {
      contents.push({ role, parts });
    }
  }

  const body: JsonObject = { contents };
  if (system.length) body['systemInstruction'] = { parts: system };
  if (req.tools.length) {
    body['tools'] = [{
      functionDeclarations: req.tools.map((t) => {
        const d: JsonObject = { name: t.name };
        if (t.description !== undefined) d['description'] = t.description;
        // parametersJsonSchema takes full JSON Schema, unlike the OpenAPI-subset `parameters`.
        d['parametersJsonSchema'] = t.parameters;
        return d;
      }),
    }];
  }
  if (req.toolChoice !== undefined) body['toolConfig'] = { functionCallingConfig: callingConfig(req.toolChoice) };
  const generation = generationConfig(req);
  if (Object.keys(generation).length) body['generationConfig'] = generation;
  return body;
}

/**
 * Gemini refuses a part whose data is an empty text ("required oneof field 'data' must have one
 * initialized field"); OpenAI and Anthropic clients send such parts (an assistant turn with
 * `content: ""` beside its tool calls). One that carries a thought signature is Gemini's own form.
 */
function hasData(part: JsonObject): boolean {
  return part['text'] !== '' || part['thoughtSignature'] !== undefined;
}

function signFirstCall(parts: JsonObject[]): void {
  const first = parts.find((p) => p['functionCall'] !== undefined);
  if (first && first['thoughtSignature'] === undefined && !parts.some((p) => p['thoughtSignature'] !== undefined)) {
    first['thoughtSignature'] = SKIP_SIGNATURE;
  }
}

function lastPart(content: JsonObject): JsonObject | undefined {
  const parts = content['parts'] as JsonObject[];
  return parts[parts.length - 1];
}

function isResponse(part: JsonObject | undefined): boolean {
  return part?.['functionResponse'] !== undefined;
}

function callingConfig(choice: IrToolChoice): JsonObject {
  if (typeof choice === 'object') return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  return { mode: choice === 'required' ? 'ANY' : choice === 'none' ? 'NONE' : 'AUTO' };
}

/**
 * Gemini 1.x and 2.0 take presencePenalty and frequencyPenalty; from 2.5 on (and the experimental
 * models) any penalty is a 400, "Penalty is not enabled for models/gemini-2.5-flash". A name
 * that is not Gemini's (another server speaking the API) gets them as asked.
 */
function takesPenalties(model: string): boolean {
  const name = model.replace(/^models\//, '');
  return !name.startsWith('gemini-') || /^gemini-(?:1\.|2\.0-)/.test(name);
}

function generationConfig(req: IrRequest): JsonObject {
  const g: JsonObject = {};
  // Gemini rejects a maxOutputTokens above the model's limit (65536 on 2.5 and 3) instead of capping
  // it, and Claude Code asks for more than that.
  if (req.maxTokens !== undefined) g['maxOutputTokens'] = Math.min(req.maxTokens, MAX_OUTPUT_TOKENS);
  if (req.temperature !== undefined) g['temperature'] = req.temperature;
  if (req.topP !== undefined) g['topP'] = req.topP;
  if (req.topK !== undefined) g['topK'] = req.topK;
  // Gemini's seed is an int32 (a larger one is a 400); OpenAI's takes 64-bit values.
  if (req.seed !== undefined && Number.isInteger(req.seed) && Math.abs(req.seed) < 2 ** 31) g['seed'] = req.seed;
  if (takesPenalties(req.model)) {
    if (req.presencePenalty !== undefined) g['presencePenalty'] = req.presencePenalty;
    if (req.frequencyPenalty !== undefined) g['frequencyPenalty'] = req.frequencyPenalty;
  }
  // Gemini takes at most five ("stopSequences ... up to 5"); a longer list is a 400 there.
  if (req.stop.length) g['stopSequences'] = req.stop.slice(0, GEMINI_MAX_STOP_SEQUENCES);
  const format = req.responseFormat;
  if (format && format.type !== 'text') {
    g['responseMimeType'] = 'application/json';
    if (format.type === 'json_schema' && format.schema) g['responseJsonSchema'] = format.schema;
  }
  if (req.reasoning) {
    const thinking = reasoningToGemini(req.reasoning, req.model);
    if (Object.keys(thinking).length) g['thinkingConfig'] = thinking;
  }
  return g;
}
