// What a request reserves before it goes upstream: its prompt by the shared estimator plus the
// most output it may ask for (its output cap times the choices it asks for), and that usage priced
// for the target that will serve it.
import { emptyUsage, estimateRequestTokens, operationClass, type Exchange, type JsonObject, type PriceTable, type Usage } from '../../core/index.js';
import { NANO } from './counters.js';

/** Every protocol's name for the output cap: Chat (both), Responses, Anthropic, Gemini's generationConfig. */
export function maxOutputTokens(body: Readonly<JsonObject>): number | undefined {
  for (const name of ['max_completion_tokens', 'max_tokens', 'max_output_tokens'] as const) {
    const v = body[name];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.ceil(v);
  }
  const gen = generationConfig(body);
  const v = gen?.['maxOutputTokens'] ?? gen?.['max_output_tokens'];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined;
}

/** Gemini's generationConfig (either spelling), where the request has one. */
function generationConfig(body: Readonly<JsonObject>): JsonObject | undefined {
  const gen = body['generationConfig'] ?? body['generation_config'];
  return gen && typeof gen === 'object' && !Array.isArray(gen) ? (gen as JsonObject) : undefined;
}

/** OpenAI's largest `n`: a provider refuses more, and a bound keeps an absurd figure finite. */
const MAX_CHOICES = 128;

/**
 * How many answers the request asks for — Chat's `n`, Gemini's `candidateCount` — each billed its
 * own output: the output cap is reserved once per choice.
 */
export function choiceCount(body: Readonly<JsonObject>): number {
  const gen = generationConfig(body);
  const v = body['n'] ?? gen?.['candidateCount'] ?? gen?.['candidate_count'];
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.min(Math.floor(v), MAX_CHOICES) : 1;
}

export interface Estimate {
  tokens: number;
  /** The prompt's part of `tokens`: a stream cut before its usage report is charged it as input. */
  input: number;
  /** Nano-USD; 0 when the model has no price. */
  nano: number;
  /** False when the served model has no price (budgets cannot see it). */
  priced: boolean;
}

/** All tokens a usage represents: input, cached or not, and output (reasoning is part of output). */
export function usageTokens(u: Usage): number {
  return u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.outputTokens;
}

export function costNano(pricing: PriceTable, usage: Usage, exchange: Exchange, model: string | undefined): { nano: number; priced: boolean } {
  const target = exchange.target;
  const name = model ?? target?.model ?? exchange.model;
  if (name === undefined) return { nano: 0, priced: false };
  const cost = pricing.cost(usage, name, target?.provider.prices);
  return cost === null ? { nano: 0, priced: false } : { nano: Math.ceil(cost.total * NANO), priced: true };
}

export function estimateRequest(exchange: Exchange, defaultMaxOutput: number, pricing: PriceTable): Estimate {
  const op = operationClass(exchange.endpoint.operation);
  // Counting tokens is free at every provider: it takes a request slot, never tokens or money.
  if (op === 'count') return { tokens: 0, input: 0, nano: 0, priced: true };
  const input = estimateRequestTokens(exchange.view());
  const body = op === 'generate' ? exchange.readRequest() : undefined;
  const output = body ? (maxOutputTokens(body) ?? defaultMaxOutput) * choiceCount(body) : 0;
  const usage = emptyUsage();
  usage.inputTokens = input;
  usage.outputTokens = output;
  usage.estimated = true;
  const { nano, priced } = costNano(pricing, usage, exchange, undefined);
  return { tokens: input + output, input, nano, priced };
}
