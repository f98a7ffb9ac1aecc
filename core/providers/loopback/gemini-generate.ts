// Loopback in Gemini format: generateContent JSON, streamGenerateContent SSE chunks (each a
// GenerateContentResponse, the last with finishReason and usageMetadata), and countTokens.
import { asArray, asObject, asString } from '../../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { jsonReply, streamReply, type LoopbackHandler } from './reply.js';
import { decide, forgedThought, stopReasonOf, wireCallId, type Answer, type CarriedThought, type ConversationView, type ToolResult } from './script.js';
import { jsonOutputOf, type JsonOutput } from './json-sample.js';
import { invalidSignature } from './signature.js';
import { estimateTokens, streamPieces } from './text.js';

/** The value Google documents for history it did not sign (Gemini CLI sends it): never checked. */
const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export const geminiGenerate: LoopbackHandler = (request, id) => {
  const view = generateView(request.body);
  const forged = forgedThought(view);
  if (forged) {
    const message = `Thought signature is not valid (${forged.location}).`;
    throw invalidSignature('gemini', message, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
  }
  return renderGenerate(decide(view), request, id);
};

const GEMINI_FINISH = { end_turn: 'STOP', tool_use: 'STOP', max_tokens: 'MAX_TOKENS', refusal: 'SAFETY' } as const;

/** An answer as a Gemini generateContent response or stream. */
export function renderGenerate(answer: Answer, request: UpstreamRequest, id: string): GatewayResponse {
  const model = request.model.replace(/^models\//, '');
  return request.stream
    ? streamReply(request, generateChunks(answer, model, id))
    : jsonReply(request, generateResponse(answer, answerParts(answer), model, id, true));
}

export const geminiCountTokens: LoopbackHandler = (request) => {
  // countTokens takes either bare contents or a whole generateContentRequest.
  const inner = asObject(request.body['generateContentRequest']) ?? request.body;
  const tokens = estimateTokens(generateView(inner).promptText);
  return jsonReply(request, { totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] });
};

function parts(content: JsonValue | undefined): JsonObject[] {
  return asArray(asObject(content)?.['parts']).map(asObject).filter((p): p is JsonObject => p !== undefined);
}

function visibleText(ps: JsonObject[]): string {
  return ps.filter((p) => p['thought'] !== true).map((p) => asString(p['text'])).filter((t): t is string => !!t).join('\n');
}

/**
 * A function response is any JSON object; its non-empty string leaves, in order, are the text a
 * model would read. Walked with a stack and joined once: joining at every level copied a deep
 * leaf once per level, and recursion would follow a deep value into a stack overflow.
 */
function resultText(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  const leaves: string[] = [];
  const pending: (JsonValue | undefined)[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v === 'string') { if (v) leaves.push(v); continue; }
    if (v === null || typeof v !== 'object') continue;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
  return leaves.join('\n');
}

export function generateView(body: JsonObject): ConversationView {
  const contents = asArray(body['contents']).map(asObject).filter((c): c is JsonObject => c !== undefined);
  const thoughts: CarriedThought[] = [];
  const texts = [visibleText(parts(body['systemInstruction']))];
  contents.forEach((c, i) => {
    parts(c).forEach((p, j) => {
      const signature = asString(p['thoughtSignature']);
      // Only a thought part carries the text its signature covers; elsewhere there is nothing to check.
      if (p['thought'] === true && signature !== undefined && signature !== SKIP_SIGNATURE) {
        thoughts.push({ text: asString(p['text']) ?? '', signature, location: `contents[${i}].parts[${j}]` });
      }
      const response = asObject(p['functionResponse']);
      if (response) texts.push(resultText(response['response']));
    });
    texts.push(visibleText(parts(c)));
  });
  const last = contents[contents.length - 1];
  const lastParts = last && asString(last['role']) !== 'model' ? parts(last) : [];
  const toolResults: ToolResult[] = lastParts.map((p) => asObject(p['functionResponse'])).filter((r): r is JsonObject => r !== undefined)
    .map((r) => ({ name: asString(r['name']) ?? 'tool', text: resultText(r['response']) }));
  return {
    lastUserText: toolResults.length ? '' : visibleText(lastParts),
    toolResults,
    tools: asArray(body['tools']).flatMap((t) => asArray(asObject(t)?.['functionDeclarations']))
      .map((d) => asString(asObject(d)?.['name'])).filter((n): n is string => !!n),
    promptText: texts.filter(Boolean).join('\n'),
    jsonOutput: jsonOutputOfGeneration(asObject(body['generationConfig'])),
    thoughts,
    promptParam: 'contents',
  };
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
