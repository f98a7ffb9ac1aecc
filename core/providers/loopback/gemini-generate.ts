// Loopback in Gemini format: generateContent JSON, streamGenerateContent SSE chunks (each a
// GenerateContentResponse, the last with finishReason and usageMetadata), and countTokens.
import { asObject } from '../../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { jsonReply, streamReply, type LoopbackHandler } from './reply.js';
import { decide, forgedThought, stopReasonOf, wireCallId, type Answer, type ConversationView } from './script.js';
import { conversationOf, requestView, thoughtsOf } from './conversation.js';
import { jsonOutputOf, type JsonOutput } from './json-sample.js';
import { invalidSignature } from './signature.js';
import { estimateTokens, streamPieces } from './text.js';

/** The value Google documents for history it did not sign (Gemini CLI sends it): never checked. */
const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export const geminiGenerate: LoopbackHandler = (request, id) => {
  const view = generateView(request);
  const forged = forgedThought(view);
  if (forged) {
    const message = `Thought signature is not valid (${forged.location}).`;
    throw invalidSignature('gemini', message, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
  }
  return renderGenerate(decide(view), request, id);
};

const GEMINI_FINISH = { end_turn: 'STOP', tool_use: 'STOP', max_tokens: 'MAX_TOKENS', refusal: 'SAFETY', stop_sequence: 'STOP' } as const;

/** An answer as a Gemini generateContent response or stream. */
export function renderGenerate(answer: Answer, request: UpstreamRequest, id: string): GatewayResponse {
  const model = request.model.replace(/^models\//, '');
  return request.stream
    ? streamReply(request, generateChunks(answer, model, id))
    : jsonReply(request, generateResponse(answer, answerParts(answer), model, id, true));
}

export const geminiCountTokens: LoopbackHandler = (request) => {
  const tokens = estimateTokens(generateView(request).promptText);
  return jsonReply(request, { totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] });
};

export function generateView(request: UpstreamRequest): ConversationView {
  const view = requestView(request);
  // countTokens takes either bare contents or a whole generateContentRequest.
  const body = asObject(request.body['generateContentRequest']) ?? request.body;
  return conversationOf(view, {
    promptParam: 'contents',
    toolsOff: asObject(asObject(body['toolConfig'])?.['functionCallingConfig'])?.['mode'] === 'NONE',
    jsonOutput: jsonOutputOfGeneration(asObject(body['generationConfig'])),
    // Only a thought part carries the text its signature covers; elsewhere there is nothing to check.
    thoughts: thoughtsOf(view, (s) => s.value !== SKIP_SIGNATURE, (s) => `contents[${s.turn}].parts[${s.path[s.path.length - 1]}]`),
  });
}

/** Gemini asks for JSON by MIME type; the schema, if any, is in either of two fields. */
function jsonOutputOfGeneration(config: JsonObject | undefined): JsonOutput | undefined {
  if (config?.['responseMimeType'] !== 'application/json') return undefined;
  const given = config['responseJsonSchema'];
  const field = given !== undefined && given !== null ? 'responseJsonSchema' : 'responseSchema';
  return jsonOutputOf({ type: 'json_schema' }, config[field], `generationConfig.${field}`);
}

function answerParts(a: Answer): JsonObject[] {
  const out: JsonObject[] = [];
  if (a.reasoning) out.push({ text: a.reasoning.text, thought: true, thoughtSignature: a.reasoning.signature });
  if (!a.toolCalls.length) out.push({ text: a.text });
  for (const c of a.toolCalls) out.push({ functionCall: { id: wireCallId(c, 'call_'), name: c.name, args: JSON.parse(c.arguments) as JsonValue } });
  return out;
}

function usageMetadata(a: Answer): JsonObject {
  const u: JsonObject = {
    promptTokenCount: a.inputTokens,
    candidatesTokenCount: a.outputTokens,
    totalTokenCount: a.inputTokens + a.outputTokens + a.reasoningTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: a.inputTokens }],
  };
  if (a.reasoningTokens) u['thoughtsTokenCount'] = a.reasoningTokens;
  return u;
}

function generateResponse(a: Answer, ps: JsonObject[], model: string, id: string, final: boolean): JsonObject {
  const candidate: JsonObject = { content: { role: 'model', parts: ps }, index: 0 };
  // Gemini says STOP for function calls too; only the last chunk of a stream carries it.
  if (final) candidate['finishReason'] = GEMINI_FINISH[stopReasonOf(a)];
  const out: JsonObject = { candidates: [candidate] };
  if (final) out['usageMetadata'] = usageMetadata(a);
  out['modelVersion'] = model;
  out['responseId'] = id;
  return out;
}

async function* generateChunks(a: Answer, model: string, id: string): AsyncGenerator<StreamEvent> {
  // A thought goes whole in one part: its signature covers the whole text. Calls come whole too,
  // as Gemini never streams function arguments.
  const chunks: JsonObject[][] = [];
  for (const part of answerParts(a)) {
    if (typeof part['text'] === 'string' && part['thought'] !== true) chunks.push(...streamPieces(part['text']).map((text) => [{ text }]));
    else chunks.push([part]);
  }
  for (const [i, ps] of chunks.entries()) yield { data: generateResponse(a, ps, model, id, i === chunks.length - 1) };
}
