// generationConfig.thinkingConfig ⇄ IR reasoning.
import { asNumber, asObject, asString, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrEffort, IrPart, IrReasoning, IrRequest } from '../../ir.js';
import { parseTag } from '../../signatures.js';
import { isHidden, packHidden } from '../../hidden-reasoning.js';

const LEVEL_TO_EFFORT: Record<string, IrEffort> = { MINIMAL: 'minimal', LOW: 'low', MEDIUM: 'medium', HIGH: 'high' };

export function reasoningFromGemini(config: JsonValue | undefined): IrReasoning | undefined {
  const c = asObject(config);
  if (!c) return undefined;
  const budget = asNumber(c['thinkingBudget']);
  const level = asString(c['thinkingLevel']);
  const include = c['includeThoughts'];
  // thinkingBudget 0 turns thinking off; -1 is "dynamic", i.e. on with no fixed budget.
  const r: IrReasoning = { enabled: budget !== 0 };
  if (budget !== undefined && budget > 0) r.budgetTokens = budget;
  const effort = level === undefined ? undefined : LEVEL_TO_EFFORT[level.toUpperCase()];
  if (effort) r.effort = effort;
  if (typeof include === 'boolean') r.includeThoughts = include;
  return r;
}

/**
 * Gemini 3 models without a MINIMAL thinking level, a 400 there: the Pro models, and Flash from 3.7
 * on (3.7 and 3.8 Flash take LOW, MEDIUM and HIGH only: Google's Gemini 3.8 Flash developer guide).
 * Flash-Lite keeps MINIMAL (its default).
 */
const NO_MINIMAL = /pro|gemini-3\.(?:[7-9]|\d{2,})-flash(?!-lite)/;

/**
 * Gemini 2.x models take only a token budget; Gemini 3 prefers thinkingLevel (MINIMAL, LOW, MEDIUM,
 * HIGH; see NO_MINIMAL for the models that lack MINIMAL). The API rejects a request with both, so
 * we send one.
 */
export function reasoningToGemini(r: IrReasoning, model: string): JsonObject {
  const out: JsonObject = {};
  const budgetOnly = /gemini-(1|2)\./.test(model);
  if (!r.enabled || r.effort === 'none') {
    // Gemini 3 cannot switch thinking off; its least thinking is MINIMAL (LOW where there is none).
    if (budgetOnly) out['thinkingBudget'] = 0;
    else out['thinkingLevel'] = NO_MINIMAL.test(model) ? 'LOW' : 'MINIMAL';
  } else if (r.budgetTokens !== undefined) {
    out['thinkingBudget'] = r.budgetTokens;
  } else if (r.effort !== undefined) {
    if (budgetOnly) out['thinkingBudget'] = EFFORT_TO_BUDGET[r.effort];
    else out['thinkingLevel'] = effortToLevel(r.effort, NO_MINIMAL.test(model));
  }
  if (r.includeThoughts !== undefined && r.enabled) out['includeThoughts'] = r.includeThoughts;
  return out;
}

// Budgets that fit every 2.5 model's range (Flash caps at 24576).
const EFFORT_TO_BUDGET: Record<IrEffort, number> = { none: 0, minimal: 512, low: 2048, medium: 8192, high: 24576, xhigh: 24576, max: 24576 };

function effortToLevel(effort: IrEffort, noMinimal: boolean): string {
  switch (effort) {
    case 'none': case 'minimal': return noMinimal ? 'LOW' : 'MINIMAL';
    case 'low': return 'LOW';
    case 'medium': return 'MEDIUM';
    default: return 'HIGH';
  }
}

/**
 * Google answers thought parts only when the request says `includeThoughts: true` (absent is
 * false), though the model thinks and `thoughtsTokenCount` bills it: a Gemini client gets another
 * provider's reasoning on the same terms.
 */
export function thoughtsWanted(request: IrRequest): boolean {
  return request.reasoning?.includeThoughts === true;
}

/** Whether a signature is Gemini's own (untagged, or tagged as Gemini's), not another family's. */
export function isGeminiSignature(signature: string): boolean {
  const origin = parseTag(signature)?.origin;
  return origin === undefined || origin === 'gemini';
}

/**
 * The answer's parts as a Gemini client that did not ask for thoughts gets them: no reasoning text.
 * Gemini's own signature stays, on the part it signed, as Google sends it. Another family's
 * reasoning that has no text (Responses `encrypted_content` without a summary) shows nothing and
 * is what the next turn needs to give that provider its reasoning back, so it stays a signed empty
 * thought; reasoning with text goes whole, as its signature is valid only with that text
 * (Anthropic's). (A translated answer reaches here with its text already packed into the signature,
 * hidden-reasoning.ts: an empty thought that the encoders put on the next part.)
 */
export function withoutThoughts(parts: IrPart[]): IrPart[] {
  return parts.flatMap((p): IrPart[] => {
    if (p.type !== 'thinking' || p.text === '') return [p];
    return p.signature !== undefined && isGeminiSignature(p.signature) ? [{ ...p, text: '' }] : [];
  });
}

/**
 * The answer's parts as a Gemini client that asked for thoughts gets them: the thoughts, signed.
 * Google signs an answer with calls on its first call, whatever includeThoughts says, and clients
 * keep that signature while some drop thought parts (Gemini CLI's history keeps none:
 * google-gemini/gemini-cli#25808). So another family's reasoning before the first call — signed,
 * or a Chat server's unsigned reasoning_content, which it wants back on the tool turn — also rides
 * packed with its text (hidden-reasoning.ts) as that call's signature; the decoder rebuilds the
 * block from it when the thought did not come back.
 */
export function shownThoughts(parts: IrPart[]): IrPart[] {
  const call = parts.findIndex((p) => p.type === 'tool_call');
  const target = parts[call];
  if (target?.type !== 'tool_call' || target.signature !== undefined) return parts;
  const reasoning = parts.find((p, i) => i < call && p.type === 'thinking' && (p.signature === undefined ? p.text !== '' : packsWithThoughts(p.signature)));
  if (reasoning?.type !== 'thinking') return parts;
  const signature = packHidden(reasoning.text, reasoning.signature);
  return parts.map((p, i) => (i === call ? { ...target, signature } : p));
}

/** Whether reasoning shown as a thought also rides packed on the first call (shownThoughts). */
export function packsWithThoughts(signature: string): boolean {
  return !isGeminiSignature(signature) && !isHidden(signature);
}
