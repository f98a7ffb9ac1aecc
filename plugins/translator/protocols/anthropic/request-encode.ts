// IR → Anthropic Messages request body (Anthropic as the upstream).
import type { JsonObject, JsonValue } from '../../../../core/index.js';
import type { IrDocument, IrEffort, IrImage, IrMessage, IrPart, IrReasoning, IrRequest, IrText, IrTool, IrToolResult } from '../../ir.js';
import { PDF } from '../../documents.js';
import { anthropicToolId } from '../../tool-call-ids.js';
import { parseArguments } from '../../util.js';
import { acceptsTemperatureWithTopP, adaptiveThinkingOnly, alwaysThinks, maxOutputTokens, takesStructuredOutputs } from './model-limits.js';
import { anthropicOutputSchema } from './output-schema.js';

/**
 * Anthropic requires `max_tokens`; other protocols may leave it out. 32000 fits the output limit
 * of every current Claude model; a model with a lower one (model-limits.ts) gets its own limit.
 */
export const DEFAULT_MAX_TOKENS = 32000;
/** For a model without structured outputs: the schema the client asked for, in the system prompt. */
const JSON_INSTRUCTION = 'Answer with only a JSON value, no other text and no code fence, that matches this JSON schema:';
/** Headroom above the thinking budget for the visible answer when the budget would eat all of max_tokens. */
const ANSWER_HEADROOM = 4096;
/** Anthropic rejects budgets under 1024. */
const MIN_BUDGET = 1024;
const EFFORT_BUDGET: Record<Exclude<IrEffort, 'none'>, number> = {
  minimal: 2048, low: 2048, medium: 8192, high: 16384, xhigh: 32000, max: 32000,
};

export function encodeRequest(request: IrRequest): JsonObject {
  const body: JsonObject = { model: request.model };
  const { maxTokens, budget } = outputTokens(request);
  body['max_tokens'] = maxTokens;

  // Every system text, top-level and mid-conversation, goes to `system` in order: not every
  // Anthropic-compatible upstream accepts a `system` role inside `messages`.
  const system = [...request.system];
  for (const m of request.messages) if (m.role === 'system') for (const p of m.parts) if (p.type === 'text') system.push(p);
  // Only a JSON schema has an Anthropic equivalent; json_object mode has none and is dropped. The
  // schema is fitted to what Anthropic's structured outputs take (output-schema.ts); a model
  // without them (before Opus 4.1) refuses the field, so it is asked in words instead.
  const format = request.responseFormat?.type === 'json_schema' ? request.responseFormat.schema : undefined;
  const structured = format !== undefined && takesStructuredOutputs(request.model);
  if (format !== undefined && !structured) system.push({ type: 'text', text: `${JSON_INSTRUCTION}\n${JSON.stringify(format)}` });
  const systemBlocks = system.filter((p) => hasText(p.text)).map(encodeText);
  if (systemBlocks.length) body['system'] = systemBlocks;
  body['messages'] = encodeMessages(request.messages);

  if (request.tools.length) body['tools'] = request.tools.map(encodeTool);
  const toolChoice = encodeToolChoice(request);
  if (toolChoice) body['tool_choice'] = toolChoice;
  // Anthropic refuses a whitespace-only stop sequence; OpenAI clients often send "\n".
  const stop = request.stop.filter(hasText);
  if (stop.length) body['stop_sequences'] = stop;

  // OpenAI and Gemini take temperature in [0, 2], Anthropic in [0, 1]: the nearest value it takes.
  const temperature = request.temperature === undefined ? undefined : clamp(request.temperature, 0, 1);
  const topP = request.topP === undefined ? undefined : clamp(request.topP, 0, 1);
  const outputConfig: JsonObject = {};
  if (adaptiveThinkingOnly(request.model)) {
    // No budget and no sampling values here (a 400 each): thinking is adaptive, its depth the effort,
    // and the model samples at its defaults.
    const adaptive = adaptiveThinking(request);
    if (adaptive.thinking) body['thinking'] = adaptive.thinking;
    if (adaptive.effort) outputConfig['effort'] = adaptive.effort;
  } else if (budget !== undefined) {
    body['thinking'] = { type: 'enabled', budget_tokens: budget };
    // With thinking on, Anthropic rejects temperature and top_k and accepts top_p only in [0.95, 1].
    if (topP !== undefined && topP >= 0.95) body['top_p'] = topP;
  } else {
    if (temperature !== undefined) body['temperature'] = temperature;
    // Recent Claude models refuse the two together: temperature, the one clients set, is kept.
    if (topP !== undefined && (temperature === undefined || acceptsTemperatureWithTopP(request.model))) body['top_p'] = topP;
    if (request.topK !== undefined) body['top_k'] = request.topK;
  }
  if (structured) outputConfig['format'] = { type: 'json_schema', schema: anthropicOutputSchema(format) };
  if (Object.keys(outputConfig).length) body['output_config'] = outputConfig;
  if (request.user !== undefined) body['metadata'] = { user_id: request.user };
  if (request.stream) body['stream'] = true;
  return body;
}

/**
 * max_tokens and the thinking budget (undefined: thinking off). A budget that would eat all of
 * max_tokens raises it by some room for the answer; neither goes above what the model takes,
 * so the budget shrinks to fit under it when needed (Anthropic wants budget < max_tokens).
 */
function outputTokens(request: IrRequest): { maxTokens: number; budget: number | undefined } {
  const modelMax = maxOutputTokens(request.model) ?? Number.POSITIVE_INFINITY;
  let maxTokens = Math.min(request.maxTokens ?? DEFAULT_MAX_TOKENS, modelMax);
  // An adaptive-only model takes no budget (adaptiveThinking): max_tokens is the client's.
  let budget = !adaptiveThinkingOnly(request.model) && thinkingAllowed(request) ? thinkingBudget(request) : undefined;
  if (budget === undefined || budget < maxTokens) return { maxTokens, budget };
  maxTokens = Math.min(budget + ANSWER_HEADROOM, modelMax);
  if (budget >= maxTokens) budget = Math.max(MIN_BUDGET, maxTokens - ANSWER_HEADROOM);
  return { maxTokens, budget: budget < maxTokens ? budget : undefined };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

const ADAPTIVE_EFFORT: Record<Exclude<IrEffort, 'none'>, string> = {
  minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'max',
};

/**
 * Thinking for a model that takes only adaptive thinking: `{type: "adaptive"}` with the effort the
 * client asked (a budget alone leaves the depth to the model's default effort). Thinking the client
 * turned off is `{type: "disabled"}`, except on a model that always thinks, where it is the lowest
 * effort (Anthropic's advice for code that used to disable it). Left unasked, both stay out: the
 * model's own default. Where thinking cannot go (a forced tool, a tool turn without signed thinking,
 * see thinkingAllowed) it is `{type: "disabled"}`, asked or not: the Claude 5 models think by
 * default, so leaving the field out is thinking on, and a 400 there. Disabled thinking is accepted
 * only at effort high or below (Anthropic's "What's new in Claude Opus 5"), so a higher effort is
 * sent as high. A model that always thinks gets no forced tool instead (encodeToolChoice).
 */
function adaptiveThinking(request: IrRequest): { thinking?: JsonObject; effort?: string } {
  const r = request.reasoning;
  const off = r !== undefined && (!r.enabled || r.effort === 'none');
  const effort = r?.effort !== undefined && r.effort !== 'none' ? ADAPTIVE_EFFORT[r.effort] : undefined;
  if (alwaysThinks(request.model)) {
    if (off) return { effort: 'low' };
    if (!r || !signedContinuation(request)) return {};
    return { thinking: adaptive(r), ...(effort ? { effort } : {}) };
  }
  if (off) return { thinking: { type: 'disabled' } };
  if (!thinkingAllowed(request)) return { thinking: { type: 'disabled' }, ...(effort ? { effort: atMostHigh(effort) } : {}) };
  if (!r) return {};
  return { thinking: adaptive(r), ...(effort ? { effort } : {}) };
}

/**
 * `{type: "adaptive"}`, with whether the client wants the thinking shown: these models return it
 * with empty text unless asked (`display` defaults to "omitted" from Opus 4.7 on), and Gemini
 * CLI's includeThoughts or Codex's reasoning summary asks to see it.
 */
function adaptive(r: IrReasoning): JsonObject {
  if (r.includeThoughts === undefined) return { type: 'adaptive' };
  return { type: 'adaptive', display: r.includeThoughts ? 'summarized' : 'omitted' };
}

const EFFORT_ORDER = ['low', 'medium', 'high', 'xhigh', 'max'];

function atMostHigh(effort: string): string {
  return EFFORT_ORDER.indexOf(effort) > EFFORT_ORDER.indexOf('high') ? 'high' : effort;
}

/** The thinking budget to request, or undefined when thinking stays off. */
export function thinkingBudget(request: IrRequest): number | undefined {
  const r = request.reasoning;
  if (!r || !r.enabled || r.effort === 'none') return undefined;
  const budget = r.budgetTokens ?? (r.effort ? EFFORT_BUDGET[r.effort] : EFFORT_BUDGET.medium);
  return Math.max(MIN_BUDGET, budget);
}

/**
 * Anthropic refuses thinking together with a forced tool (tool_choice any/tool), and refuses it
 * when the assistant turn being continued (the last one, answered by tool results) does not start
 * with a signed thinking block — which is the case when that turn came from another provider.
 * Thinking is left off then: the request still works, only without reasoning.
 */
function thinkingAllowed(request: IrRequest): boolean {
  return !forcesTool(request) && signedContinuation(request);
}

/** tool_choice any / tool (only sent with tools). */
export function forcesTool(request: IrRequest): boolean {
  const c = request.toolChoice;
  return request.tools.length > 0 && (c === 'required' || typeof c === 'object');
}

/** Whether the assistant tool-call turn being continued, if any, starts with signed thinking. */
function signedContinuation(request: IrRequest): boolean {
  const turns = request.messages.filter((m) => m.role !== 'system');
  const lastAssistant = turns.findLastIndex((m) => m.role === 'assistant');
  if (lastAssistant === -1) return true;
  const assistant = turns[lastAssistant]!;
  if (!assistant.parts.some((p) => p.type === 'tool_call')) return true;
  const first = assistant.parts.find((p) => p.type !== 'text' || p.text !== '');
  return first?.type === 'redacted_thinking' || (first?.type === 'thinking' && first.signature !== undefined);
}

/** Anthropic refuses text blocks (and stop sequences) with no non-whitespace character. */
function hasText(text: string): boolean {
  return /\S/.test(text);
}

/**
 * A final assistant turn is a prefill, and Anthropic refuses one ending in whitespace ("final
 * assistant content cannot end with trailing whitespace"); OpenAI and Gemini accept it.
 */
function trimPrefill(out: { role: 'user' | 'assistant'; content: JsonObject[] }[]): void {
  const last = out.at(-1);
  const block = last?.role === 'assistant' ? last.content.at(-1) : undefined;
  if (block?.['type'] === 'text' && typeof block['text'] === 'string') block['text'] = block['text'].trimEnd();
}

function encodeText(p: IrText): JsonObject {
  const block: JsonObject = { type: 'text', text: p.text };
  if (p.cache) block['cache_control'] = p.cache;
  return block;
}

function encodeImage(p: IrImage): JsonObject {
  const source: JsonObject = p.source.kind === 'url'
    ? { type: 'url', url: p.source.url }
    : { type: 'base64', media_type: p.source.mediaType, data: p.source.data };
  return { type: 'image', source };
}

function encodeDocument(p: IrDocument): JsonObject {
  const source: JsonObject = p.source.kind === 'url' ? { type: 'url', url: p.source.url } : { type: 'base64', media_type: PDF, data: p.source.data };
  return p.filename === undefined ? { type: 'document', source } : { type: 'document', source, title: p.filename };
}

function encodeToolResult(p: IrToolResult): JsonObject {
  const block: JsonObject = { type: 'tool_result', tool_use_id: anthropicToolId(p.callId) };
  const only = p.content.length === 1 ? p.content[0] : undefined;
  // A lone uncached text goes as a plain string: the form every Anthropic-compatible server accepts.
  if (only?.type === 'text' && !only.cache) block['content'] = only.text;
  else if (p.content.length) block['content'] = p.content.map((c) => (c.type === 'text' ? encodeText(c) : c.type === 'image' ? encodeImage(c) : encodeDocument(c)));
  if (p.isError) block['is_error'] = true;
  return block;
}

/** One IR part as an Anthropic block for the given role, or undefined where Anthropic cannot take it. */
function encodePart(p: IrPart, role: 'user' | 'assistant'): JsonObject | undefined {
  switch (p.type) {
    case 'text': return hasText(p.text) ? encodeText(p) : undefined; // empty and whitespace-only text blocks are rejected
    case 'image': return role === 'user' ? encodeImage(p) : undefined;
    case 'document': return role === 'user' ? encodeDocument(p) : undefined;
    case 'tool_result': return role === 'user' ? encodeToolResult(p) : undefined;
    case 'tool_call':
      // Ids other providers minted may not fit Anthropic's pattern: mapped alike for call and result.
      return role === 'assistant' ? { type: 'tool_use', id: anthropicToolId(p.id), name: p.name, input: parseArguments(p.arguments) } : undefined;
    // Anthropic verifies thinking by its signature: reasoning from another provider cannot be replayed.
    case 'thinking':
      return role === 'assistant' && p.signature ? { type: 'thinking', thinking: p.text, signature: p.signature } : undefined;
    case 'redacted_thinking': return role === 'assistant' ? { type: 'redacted_thinking', data: p.data } : undefined;
  }
}

function encodeMessages(messages: IrMessage[]): JsonObject[] {
  const out: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue; // hoisted into `system`
    const content = m.parts.map((p) => encodePart(p, m.role === 'assistant' ? 'assistant' : 'user'))
      .filter((b): b is JsonObject => b !== undefined);
    if (!content.length) continue;
    const last = out.at(-1);
    // Anthropic wants alternating roles: consecutive same-role turns (e.g. Chat's one tool message
    // per result) become one message.
    if (last && last.role === m.role) last.content.push(...content);
    else out.push({ role: m.role, content });
  }
  trimPrefill(out);
  return out.map(({ role, content }) => {
    // Tool results must open the user turn that answers the assistant's tool calls.
    const ordered: JsonValue[] = role === 'user'
      ? [...content.filter((b) => b['type'] === 'tool_result'), ...content.filter((b) => b['type'] !== 'tool_result')]
      : content;
    return { role, content: ordered };
  });
}

const FREEFORM_SCHEMA: JsonObject = { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] };

function encodeTool(t: IrTool): JsonObject {
  const tool: JsonObject = { name: t.name };
  if (t.description !== undefined) tool['description'] = t.description;
  // Freeform (Responses custom) tools become a one-string-argument function; their grammar is dropped.
  tool['input_schema'] = t.freeform ? FREEFORM_SCHEMA : withObjectType(t.parameters);
  if (t.strict !== undefined) tool['strict'] = t.strict;
  if (t.cache) tool['cache_control'] = t.cache;
  return tool;
}

/** Anthropic requires `input_schema.type: "object"`; OpenAI allows an empty parameters object. */
function withObjectType(schema: JsonObject): JsonObject {
  return schema['type'] === undefined ? { type: 'object', properties: {}, ...schema } : schema;
}

function encodeToolChoice(request: IrRequest): JsonObject | undefined {
  // Anthropic rejects tool_choice without tools.
  if (!request.tools.length) return undefined;
  const c = request.toolChoice;
  let choice: JsonObject | undefined;
  // Opus 5.5 and Fable 5.1 cannot stop thinking and refuse a forced tool outright ("Forced tool
  // use returns an error"): the tool is offered, and the model chooses.
  if (forcesTool(request) && alwaysThinks(request.model)) choice = { type: 'auto' };
  else if (c === 'auto') choice = { type: 'auto' };
  else if (c === 'required') choice = { type: 'any' };
  else if (c === 'none') choice = { type: 'none' };
  else if (c !== undefined) choice = { type: 'tool', name: c.name };
  if (request.parallelToolCalls === false && c !== 'none') {
    choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  return choice;
}
