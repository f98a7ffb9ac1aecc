// Gemini generateContent request → IR. The model comes from the URL, not the body. What the IR
// cannot hold is named in `dropped`: the keys request-shape.ts does not declare, and what is
// dropped for its value.
import { asArray, asNumber, asObject, asString, readGenerateSystem, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrMessage, IrPart, IrRequest, IrResponseFormat, IrText, IrTool, IrToolChoice } from '../../ir.js';
import { droppedFields } from '../../dropped-fields.js';
import { invalid } from '../../util.js';
import { camelCaseGenerateRequest } from './camel-case.js';
import { PartDecoder } from './parts-decode.js';
import { GEMINI_REQUEST_SHAPE } from './request-shape.js';
import { toJsonSchema } from './schema.js';
import { reasoningFromGemini } from './thinking.js';

export function decodeGeminiRequest(request: JsonObject, model: string, stream: boolean, listDrops = true): IrRequest {
  const body = camelCaseGenerateRequest(request);
  const parts = new PartDecoder();
  const dropped = new Set<string>();

  const req: IrRequest = {
    model, system: systemText(body), messages: [], tools: [], stop: [], stream, dropped: [],
  };
  if (body['contents'] !== undefined && !Array.isArray(body['contents'])) throw invalid('contents must be an array', 'contents');
  for (const [i, c] of asArray(body['contents']).entries()) req.messages.push(message(c, i, parts));

  decodeTools(body['tools'], req);
  const choice = toolChoice(body['toolConfig'], dropped);
  if (choice) req.toolChoice = choice;
  decodeGeneration(asObject(body['generationConfig']), req, dropped);
  req.dropped = listDrops ? droppedFields(body, GEMINI_REQUEST_SHAPE, dropped) : [...dropped];
  return req;
}

/** The system instruction's text parts, read by core (either spelling of the field). */
function systemText(body: JsonObject): IrText[] {
  const out: IrText[] = [];
  readGenerateSystem(body, {
    paths: false,
    allText: true,
    text(_kind, _role, _turn, owner, key) {
      const text = asString((owner as JsonObject)[key]);
      if (text) out.push({ type: 'text', text });
    },
    reasoning() {}, redacted() {}, signature() {}, call() {}, result() {}, other() {},
  });
  return out;
}

function message(content: JsonValue, index: number, decoder: PartDecoder): IrMessage {
  const c = asObject(content);
  if (!c) throw invalid(`contents[${index}] must be an object`, `contents[${index}]`);
  const role = asString(c['role']);
  // A missing role is a user turn; the old `function` role carried functionResponse parts.
  if (role !== undefined && role !== 'user' && role !== 'model' && role !== 'function') {
    throw invalid(`contents[${index}].role must be "user" or "model"`, `contents[${index}].role`);
  }
  const parts: IrPart[] = [];
  decoder.decodeContent(c, index, parts);
  return { role: role === 'model' ? 'assistant' : 'user', parts };
}

/** Function declarations only: googleSearch, codeExecution, urlContext… are Gemini-hosted tools nobody else runs. */
function decodeTools(tools: JsonValue | undefined, req: IrRequest): void {
  for (const t of asArray(tools)) {
    const tool = asObject(t);
    if (!tool) continue;
    for (const d of asArray(tool['functionDeclarations'])) {
      const decl = asObject(d);
      const name = asString(decl?.['name']);
      if (!decl || !name) throw invalid('every functionDeclaration needs a name', 'tools[].functionDeclarations[].name');
      const schema = asObject(decl['parametersJsonSchema']) ?? asObject(decl['parameters']);
      const ir: IrTool = { name, parameters: schema ? toJsonSchema(schema) : { type: 'object', properties: {} } };
      const description = asString(decl['description']);
      if (description) ir.description = description;
      req.tools.push(ir);
    }
  }
}

function toolChoice(config: JsonValue | undefined, dropped: Set<string>): IrToolChoice | undefined {
  const fc = asObject(asObject(config)?.['functionCallingConfig']);
  if (!fc) return undefined;
  const names = asArray(fc['allowedFunctionNames']).filter((n): n is string => typeof n === 'string');
  switch (asString(fc['mode'])) {
    case 'NONE': return 'none';
    case 'ANY': {
      const only = names.length === 1 ? names[0] : undefined;
      if (only !== undefined) return { name: only };
      if (names.length > 1) dropped.add('toolConfig.functionCallingConfig.allowedFunctionNames');
      return 'required';
    }
    // VALIDATED is AUTO with constrained decoding of calls: the choice is still the model's.
    case 'AUTO': case 'VALIDATED': return 'auto';
    default: return undefined;
  }
}

function decodeGeneration(g: JsonObject | undefined, req: IrRequest, dropped: Set<string>): void {
  if (!g) return;
  const candidates = asNumber(g['candidateCount']);
  if (candidates !== undefined && candidates > 1) {
    throw invalid('candidateCount above 1 cannot be translated', 'generationConfig.candidateCount');
  }
  const max = asNumber(g['maxOutputTokens']);
  if (max !== undefined) req.maxTokens = max;
  const temperature = asNumber(g['temperature']);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = asNumber(g['topP']);
  if (topP !== undefined) req.topP = topP;
  const topK = asNumber(g['topK']);
  if (topK !== undefined) req.topK = topK;
  const seed = asNumber(g['seed']);
  if (seed !== undefined) req.seed = seed;
  const presence = asNumber(g['presencePenalty']);
  if (presence !== undefined) req.presencePenalty = presence;
  const frequency = asNumber(g['frequencyPenalty']);
  if (frequency !== undefined) req.frequencyPenalty = frequency;
  req.stop = asArray(g['stopSequences']).filter((s): s is string => typeof s === 'string');
  const format = responseFormat(g, dropped);
  if (format) req.responseFormat = format;
  const reasoning = reasoningFromGemini(g['thinkingConfig']);
  if (reasoning) req.reasoning = reasoning;
}

function responseFormat(g: JsonObject, dropped: Set<string>): IrResponseFormat | undefined {
  const mime = asString(g['responseMimeType']);
  const schema = asObject(g['responseJsonSchema']) ?? asObject(g['responseSchema']);
  if (mime === undefined || mime === 'text/plain') {
    if (schema) dropped.add('generationConfig.responseSchema');
    return undefined;
  }
  if (mime !== 'application/json') {
    dropped.add(`generationConfig.responseMimeType(${mime})`);
    return undefined;
  }
  // Gemini's schema has no name: none is made up (an encoder that needs one supplies its own).
  return schema ? { type: 'json_schema', schema: toJsonSchema(schema) } : { type: 'json_object' };
}
