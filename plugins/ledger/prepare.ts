// From finished requests' entries (entry.ts) to their ledger rows, in the writer (never in onRequest):
// token classes and where they came from, the independent count and the drift flag, costs, timings.
// A writer cycle's entries are prepared together: the tokenizer is asked once for the whole cycle
// (each distinct text once), and each row is then built synchronously — no promise, closure or
// job object per row, which at a thousand rows a second cost more than the row's own arithmetic.
import { estimateTokens, estimateTokensOfLength, type Finding, type PriceTable, type RequestRecord, type TokenPrices, type Usage } from '../../core/index.js';
import { ENCODINGS, encodingFor, type Encoding } from './count/encoding.js';
import { KNOWN_MAX_CHARS, type KnownCounts } from './count/known-counts.js';
import type { PromptMemo, Reuse } from './count/prompt-memo.js';
import type { TokenCounter } from './count/tokenizer.js';
import type { LedgerOptions } from './options.js';
import type { LedgerRow, UsageSource } from './row.js';
import { entryOf, inputFigureMissing, type LedgerEntry } from './entry.js';
import type { RequestText, ResponseText } from './texts.js';
import { attemptDetail } from './attempt-detail.js';

export interface PrepareContext {
  options: LedgerOptions;
  pricing: PriceTable;
  counter: TokenCounter;
  /** Loopback answers with made-up usage: there is no bill to check, so no local count. */
  isLoopback(provider: string): boolean;
  /** Conversations' last counted prompts, so a resent history is compared rather than counted again; without it every prompt is counted whole. */
  memo?: PromptMemo;
  /** Counts of short texts that recur (system prompts), so a cycle whose texts were all counted before does not ask the tokenizer thread; without it every cycle asks. */
  known?: KnownCounts;
}

/** Prompts shorter than this are not remembered: finding their few segments by hash costs less than comparing and keeping them. */
const MEMO_FROM_CHARS = 4096;
/** The memo, for a counted prompt long enough to be compared with its conversation's last turn and kept for the next. */
const memoFor = (memo: PromptMemo | undefined, request: RequestText): PromptMemo | undefined => (request.chars >= MEMO_FROM_CHARS ? memo : undefined);

/** Framing tokens OpenAI adds per message (role and separators) and once to prime the reply. */
const TOKENS_PER_TURN = 4;
const REPLY_PRIMING = 3;

/** The local count: the prompt (framing included); the answer's text and tool-call arguments; the reasoning it showed. */
interface LocalCount { input: number | undefined; text: number | undefined; reasoning: number | undefined; method: string }

/**
 * The local count of the answer set against the bill. Where the provider reports reasoning tokens,
 * its reasoning is billed whole but shown, if at all, as a summary (Gemini's `includeThoughts`,
 * OpenAI's reasoning summaries): the visible text alone is then compared with output − reasoning.
 * Where it reports none (Anthropic bills thinking as output), text and shown reasoning together
 * are compared with output.
 */
function comparableOutput(local: LocalCount | undefined, usage: Usage): number | undefined {
  if (local?.text === undefined) return undefined;
  return usage.reasoningTokens > 0 ? local.text : local.text + (local.reasoning ?? 0);
}
const billedVisibleOutput = (usage: Usage): number => usage.outputTokens - usage.reasoningTokens;

const DAY_MS = 86_400_000;
let dayCache = { start: 0, name: '1970-01-01' };
/** The UTC day of an instant; rows of one cycle fall on one day, so it is formatted once a day. */
const day = (ms: number) => {
  if (ms < dayCache.start || ms >= dayCache.start + DAY_MS) {
    const start = Math.floor(ms / DAY_MS) * DAY_MS;
    dayCache = { start, name: new Date(start).toISOString().slice(0, 10) };
  }
  return dayCache.name;
};
const orNull = <T>(v: T | undefined): T | null => (v === undefined || v === '' ? null : v);

/** The row of a finished request (tests and benches: the plugin takes the entry in onRequest). */
export async function prepareRow(record: RequestRecord, ctx: PrepareContext): Promise<LedgerRow> {
  const [row] = await prepareEntries([entryOf(record, ctx.options)], ctx, (_e, err) => { throw err; });
  return row!;
}

/**
 * The rows of a cycle's entries, in order. An entry whose row cannot be built (its texts could not
 * be read, or building threw) gets `failed(entry, error)`'s row instead; the others are unaffected.
 */
export async function prepareEntries(entries: readonly LedgerEntry[], ctx: PrepareContext, failed: (entry: LedgerEntry, err: unknown) => LedgerRow): Promise<LedgerRow[]> {
  const plan = ctx.options.count.enabled ? planCounts(entries, ctx) : undefined;
  const counts = plan && plan.lists.some((l) => l.texts.length > 0) ? await ctx.counter.countLists(plan.lists.map(({ encoding, texts }) => ({ encoding, texts }))) : undefined;
  if (plan && counts && ctx.known) rememberRecurring(plan, counts, ctx.known);
  const rows = new Array<LedgerRow>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    try {
      if (entry.textError !== undefined) throw entry.textError;
      rows[i] = buildRow(entry, plan ? localCount(entry, plan, i, counts, ctx.memo) : undefined, ctx);
    } catch (err) {
      rows[i] = failed(entry, err);
    }
  }
  return rows;
}

/**
 * Which entries get a local count, and the texts the tokenizer is to count: per encoding, each
 * distinct text once (the rows of a cycle share system prompts and, for agents, the whole history
 * resent every turn), none whose count is known (KnownCounts). `refs` holds, per tokenizer-counted
 * entry from `start[i]`, a reference for each of its request segments (where inputCounted; those after
 * the segments `reuse` counted before), then for its answer text and reasoning (TextList.refAt).
 */
interface CountPlan {
  /** Per entry: how it is counted (undefined: not at all). */
  method: (Encoding | 'estimate' | undefined)[];
  /** Per entry: the leading request segments its conversation's last turn counted (prompt-memo.ts). */
  reuse: (Reuse | undefined)[];
  start: number[];
  refs: number[];
  /** Per encoding (ENCODINGS' order). */
  lists: TextList[];
}

/** Slots of TextList.refAt: an answer's text, its reasoning, then the request's segments from REQUEST_SLOT on. */
const ANSWER_SLOT = 0;
const REASONING_SLOT = 1;
const REQUEST_SLOT = 2;

/**
 * One encoding's texts in a cycle, each once, and the reference of each text an entry has: -n - 1
 * for a known count n, else the text's position in `texts`. Found by value in a Map — which has V8
 * hash each text in full, a fresh string every request (~12 instructions a character, callgrind) —
 * unless it equals the text the entry before had in the same place (the system prompt, the first
 * messages of a conversation, an answer repeated): a comparison of the two, no hash.
 */
class TextList {
  readonly texts: string[] = [];
  /** Per text: how many more entries had it (a text that recurs is worth remembering: KnownCounts). */
  readonly again: number[] = [];
  private readonly index = new Map<string, number>();
  /** Per slot: the last text seen there, and its reference. */
  private readonly lastText: (string | undefined)[] = [];
  private readonly lastRef: number[] = [];

  constructor(readonly encoding: Encoding, private readonly known: KnownCounts | undefined) {}

  refAt(slot: number, text: string): number {
    if (this.lastText[slot] === text) {
      const ref = this.lastRef[slot]!;
      if (ref >= 0) this.again[ref]!++;
      return ref;
    }
    const n = this.known !== undefined && text.length <= KNOWN_MAX_CHARS ? this.known.get(this.encoding, text) : undefined;
    const ref = n === undefined ? this.positionOf(text) : -n - 1;
    this.lastText[slot] = text;
    this.lastRef[slot] = ref;
    return ref;
  }

  /** Where `text` is in the list, added the first time it is seen. */
  private positionOf(text: string): number {
    let at = this.index.get(text);
    if (at === undefined) { at = this.texts.length; this.texts.push(text); this.again.push(0); this.index.set(text, at); }
    else this.again[at]!++;
    return at;
  }
}

function planCounts(entries: readonly LedgerEntry[], ctx: PrepareContext): CountPlan {
  const method = new Array<Encoding | 'estimate' | undefined>(entries.length);
  const start = new Array<number>(entries.length).fill(-1);
  const reuse = new Array<Reuse | undefined>(entries.length);
  const refs: number[] = [];
  const lists = ENCODINGS.map((encoding) => new TextList(encoding, ctx.known));
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const model = e.servedModel ?? e.model;
    if (!e.called || !model || !e.provider || e.textError !== undefined || (!e.request && !e.answer) || ctx.isLoopback(e.provider)) continue;
    const encoding = encodingOf(model);
    if (!encoding) { method[i] = 'estimate'; continue; }
    method[i] = encoding;
    start[i] = refs.length;
    const list = lists[ENCODINGS.indexOf(encoding)]!;
    if (e.request && inputCounted(e)) {
      const segments = e.request.segments;
      const prefix = (reuse[i] = memoFor(ctx.memo, e.request)?.reuse(segments, encoding));
      for (let s = prefix?.segments ?? 0; s < segments.length; s++) refs.push(list.refAt(REQUEST_SLOT + s, segments[s]!));
    }
    // An answer over max_chars is estimated from its length: its kept part is not counted.
    const whole = e.answer?.cappedChars === undefined;
    refs.push(list.refAt(ANSWER_SLOT, whole ? e.answer?.text ?? '' : ''));
    refs.push(list.refAt(REASONING_SLOT, whole ? e.answer?.reasoning ?? '' : ''));
  }
  return { method, reuse, start, refs, lists };
}

/** A reference's tokens (TextList.refAt): a known count, or the tokenizer's count at that position of its list. */
const tokensAt = (list: readonly number[], ref: number): number => (ref < 0 ? -ref - 1 : list[ref]!);

/** Keeps the counts of the cycle's short texts that more than one entry had (KnownCounts). */
function rememberRecurring(plan: CountPlan, counts: readonly (number[] | undefined)[], known: KnownCounts): void {
  for (let k = 0; k < plan.lists.length; k++) {
    const list = counts[k];
    const { encoding, texts, again } = plan.lists[k]!;
    if (list) for (let t = 0; t < texts.length; t++) if (again[t]! > 0) known.remember(encoding, texts[t]!, list[t]!);
  }
}

/** Whether a request's own texts go to the tokenizer: where the count can be set against the bill, or stands in for a missing figure. */
function inputCounted(e: LedgerEntry): boolean {
  return e.request !== undefined && !e.request.capped && (e.request.countable || inputFigureMissing(e.usage, e.cut));
}

/**
 * encodingFor, remembered by model name: a cycle's rows name a handful of models, and the name
 * tests are two regular expressions per row. Bounded (model names come from clients).
 */
const encodings = new Map<string, Encoding | null>();
function encodingOf(model: string): Encoding | undefined {
  let e = encodings.get(model);
  if (e === undefined) {
    if (encodings.size >= 1024) encodings.clear();
    encodings.set(model, (e = encodingFor(model) ?? null));
  }
  return e ?? undefined;
}

/**
 * A tokenizer count for OpenAI models, an estimate for the rest; undefined parts could not be counted.
 * A long counted prompt is remembered, with each segment's tokens, for its conversation's next turn.
 */
function localCount(e: LedgerEntry, plan: CountPlan, i: number, counts: (number[] | undefined)[] | undefined, memo: PromptMemo | undefined): LocalCount | undefined {
  const method = plan.method[i];
  if (method === undefined) return undefined;
  const { request, answer } = e;
  const framing = request && !e.embedding ? request.turns * TOKENS_PER_TURN + REPLY_PRIMING : 0;
  if (method === 'estimate') {
    return {
      method,
      input: request ? estimateSegments(request) + framing : undefined,
      text: answer ? estimateTokens(answer.text) : undefined,
      reasoning: answer ? estimateTokens(answer.reasoning) : undefined,
    };
  }
  const k = ENCODINGS.indexOf(method);
  // Nothing asked of the tokenizer for this encoding (every text's count known): nothing to wait for.
  const list = plan.lists[k]!.texts.length === 0 ? NOTHING_ASKED : counts?.[k];
  if (!list) return undefined; // the tokenizer was unavailable or too slow: no local count
  const counted = request !== undefined && inputCounted(e);
  const n = counted ? request.segments.length : 0;
  const known = plan.reuse[i];
  const from = known?.segments ?? 0;
  let at = plan.start[i]!;
  let input = known?.tokens ?? 0;
  const keep = counted ? memoFor(memo, request) : undefined;
  // Each segment's tokens, for the memo: the reused prefix's, then what the tokenizer counted.
  const each = keep ? (known?.turn.counts.slice(0, from) ?? []) : undefined;
  for (let s = from; s < n; s++) {
    const tokens = tokensAt(list, plan.refs[at++]!);
    input += tokens;
    each?.push(tokens);
  }
  if (keep && each && request) keep.remember({ encoding: method, segments: request.segments, counts: each, chars: request.chars });
  // Token ids (an embeddings input given as integers) are their own count, beside the text's.
  return { method, input: counted ? input + framing + (request.tokenIds ?? 0) : undefined, text: answer ? tokensAt(list, plan.refs[at]!) : undefined, reasoning: answer ? tokensAt(list, plan.refs[at + 1]!) : undefined };
}
const NOTHING_ASKED: readonly number[] = Object.freeze([]);

/** ≈ 4 characters a token of the request's text, and its token ids (RequestText.tokenIds) as they are. */
function estimateSegments(request: RequestText): number {
  if (request.capped) return estimateTokensOfLength(request.chars) + (request.tokenIds ?? 0);
  let n = request.tokenIds ?? 0;
  for (const s of request.segments) n += estimateTokens(s);
  return n;
}

/** An entry's row, given its local count (if any). */
function buildRow(record: LedgerEntry, local: LocalCount | undefined, ctx: PrepareContext): LedgerRow {
  const { called, request, answer } = record;
  const model = record.servedModel ?? record.model;
  // Something came back from the provider (a stream cut short included), so something was billed.
  const answered = called && ((answer !== undefined && answer.text.length + answer.reasoning.length > 0) || (record.responded && record.status < 400));
  const { usage, source } = settleUsage(record, answered, local, answer, request);
  // The serving provider's own prices (the built-in loopback's are 0 unless it was given some), else the table's.
  const cost = model ? ctx.pricing.cost(usage, model, record.prices) : null;
  const mismatch = source === 'reported' && local !== undefined && drifted(usage, local, request, answer, ctx.options);

  const ttfb = record.firstByteMs;
  const p = record.principal;
  // Every field written out (no spread): one object of a fixed shape per row.
  return {
    request_id: record.id, time_ms: record.time, day: day(record.time),
    user_id: orNull(p?.user), team_id: orNull(p?.team), key_id: orNull(p?.keyId), session_id: orNull(record.sessionId),
    client_address: orNull(record.clientAddress),
    method: record.method.slice(0, 16), path: record.path.slice(0, 512), endpoint: orNull(record.endpoint),
    client_protocol: record.clientProtocol,
    requested_model: orNull(record.model?.slice(0, 256)), served_model: orNull(record.servedModel?.slice(0, 256)), provider: orNull(record.provider),
    fallbacks: record.attempts.length,
    fallback_detail: record.attempts.length ? JSON.stringify(record.attempts.map(attemptDetail)) : null,
    stream: record.stream ? 1 : 0, status: record.status, outcome: record.outcome, error_code: orNull(record.errorCode),
    input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: usage.cacheReadTokens,
    cache_write_tokens: usage.cacheWriteTokens, reasoning_tokens: usage.reasoningTokens, usage_source: source,
    cost_input: cost?.input ?? null, cost_output: cost?.output ?? null, cost_cache_read: cost?.cachedRead ?? null,
    cost_cache_write: cost?.cacheWrite ?? null, cost_reasoning: cost?.reasoning ?? null, cost_total: cost?.total ?? null,
    // Stored only where the local count saw all that is billed, so the audit's drift compares like with like.
    local_input_tokens: request?.countable ? local?.input ?? null : null, local_output_tokens: answer?.complete ? comparableOutput(local, usage) ?? null : null,
    local_method: local?.method ?? null,
    count_mismatch: mismatch ? 1 : 0,
    ttfb_ms: ttfb === undefined ? null : round3(ttfb), latency_ms: round3(record.totalMs), output_tps: outputTps(record, usage.outputTokens),
    findings: record.findings.length ? JSON.stringify(record.findings.map(storedFinding)) : null,
    direction: record.market.direction, offer_id: record.market.offer_id, arrival_key: record.arrivalKey,
    // What the provider's answer said (also of a row whose tokens were estimated after a cut).
    service_tier: record.usage?.serviceTier ?? null, web_search_calls: record.usage?.webSearchCalls ?? 0, web_fetch_calls: record.usage?.webFetchCalls ?? 0,
    cost_fees: cost?.fees ?? null, answered_model: record.usage?.answeredModel ?? null,
  };
}

/**
 * A finding as the row keeps it: types and counts, never values or where they were. The direction
 * where the plugin gives one (the firewall's output scan finds the same types in the answer): without
 * it, a value the answer repeated would read as a second finding in the request.
 */
export const storedFinding = (f: Finding) => (f.direction ? { source: f.source, type: f.type, count: f.count, action: f.action, direction: f.direction } : { source: f.source, type: f.type, count: f.count, action: f.action });

/**
 * Output tokens a second of generation (after a stream's first byte), for a success that produced
 * some. A JSON answer's time is its own attempt's: not the time failed attempts before it took (a
 * primary that timed out), which said nothing of the provider that answered.
 */
export function outputTps(record: LedgerEntry, outputTokens: number): number | null {
  const ttfb = record.firstByteMs;
  const genMs = record.stream && ttfb !== undefined ? record.totalMs - ttfb : record.totalMs - failedAttemptsMs(record.attempts);
  return record.outcome === 'success' && outputTokens > 0 && genMs >= 1 ? round3(outputTokens / (genMs / 1000)) : null;
}

/** The time the failed attempts before the answer took (0 without any). */
function failedAttemptsMs(attempts: LedgerEntry['attempts']): number {
  let ms = 0;
  for (const a of attempts) ms += a.ms ?? 0;
  return ms;
}

/** The row's token classes and their source (see UsageSource). */
function settleUsage(record: LedgerEntry, answered: boolean, local: LocalCount | undefined, answer: ResponseText | undefined, request: RequestText | undefined): { usage: Usage; source: UsageSource } {
  const reported = record.usage;
  if (reported) {
    if (reported.estimated) return { usage: reported, source: 'estimated' };
    if (!record.cut) return { usage: reported, source: 'reported' };
    // A stream cut short: what the provider reported so far (Anthropic gives input up front) and
    // the larger of its output figure and what was seen on the wire.
    const usage: Usage = { ...reported };
    if (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens === 0) usage.inputTokens = estimateIn(local, request);
    usage.outputTokens = Math.max(usage.outputTokens, estimateOut(local, answer));
    return { usage, source: 'partial' };
  }
  // A client that hung up on a call the provider already had (waiting for a JSON answer, or a
  // stream before its first event): the provider has the prompt and bills it; no answer was seen.
  const abandoned = record.called && record.outcome === 'client_disconnect';
  if (!answered && !abandoned) return { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false }, source: 'none' };
  return { usage: { inputTokens: estimateIn(local, request), outputTokens: estimateOut(local, answer), cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true }, source: 'estimated' };
}

const estimateIn = (local: LocalCount | undefined, request: RequestText | undefined) => local?.input ?? (request ? estimateSegments(request) : 0);
function estimateOut(local: LocalCount | undefined, answer: ResponseText | undefined): number {
  if (answer?.cappedChars !== undefined) return estimateTokensOfLength(answer.cappedChars);
  if (local?.text !== undefined) return local.text + (local.reasoning ?? 0);
  return answer ? estimateTokens(answer.text) + estimateTokens(answer.reasoning) : 0;
}

/** Billed against local, each side only where the local count saw all that was billed. */
function drifted(usage: Usage, local: LocalCount, request: RequestText | undefined, answer: ResponseText | undefined, options: LedgerOptions): boolean {
  const { tolerance, estimate_tolerance: estimateTolerance, slack_tokens: slack } = options.count;
  const tol = local.method === 'estimate' ? estimateTolerance : tolerance;
  const off = (billed: number, counted: number) => Math.abs(billed - counted) > Math.max(slack, tol * counted);
  if (local.input !== undefined && request?.countable && off(usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens, local.input)) return true;
  const output = comparableOutput(local, usage);
  if (output !== undefined && answer?.complete && off(billedVisibleOutput(usage), output)) return true;
  return false;
}

/** To the µs (ms with three decimals). A literal factor: `10 ** digits` is a call to pow (callgrind: ~250 instructions each). */
const round3 = (n: number): number => Math.round(n * 1000) / 1000;
