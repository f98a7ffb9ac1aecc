// What an upstream stream event means for the stream's life, per protocol: preamble (nothing the
// client needs yet), content, the protocol's terminal event, or an in-stream error. Dispatch uses
// it to commit a stream only at its first content, and to tell a complete stream from a truncated one.
import { GatewayError } from '../errors.js';
import { asArray, asObject, asString, isObject } from './json.js';
import type { JsonObject, JsonValue, Protocol, StreamEvent } from './types.js';

/**
 * - `preamble`: carries no content (role-only chunk, message_start, ping, response.created, …);
 *   may be held back while a failure can still fall back.
 * - `content`: the first of these commits the stream.
 * - `terminal`: the protocol's end of a complete answer (also commits).
 * - `error`: the upstream reports a failure in-stream.
 * - `sentinel`: OpenAI's `data: [DONE]` line: not an event to forward (egress writes the client's
 *   own terminator), and for Chat the end of a complete stream.
 * - `malformed`: data that is not JSON (a broken proxy's `data: data: {…}`, a cut or garbled
 *   line): every event of these protocols is JSON, so what it carried is lost and the answer is
 *   incomplete. Passed on, it broke the SDKs of passthrough clients (a SyntaxError) while the
 *   request counted as a success; skipped, a translated client got an answer with a hole in it.
 */
export type StreamPhase = 'preamble' | 'content' | 'terminal' | 'error' | 'sentinel' | 'malformed';

/** A protocol whose streams Sluice knows the grammar of; others are forwarded unchecked. */
export type PhaseReader = (ev: StreamEvent) => StreamPhase;

export function phaseReader(protocol: Protocol): PhaseReader | undefined {
  if (protocol.family === 'openai' && protocol.operation === 'chat') return chatPhase;
  if (protocol.family === 'openai' && protocol.operation === 'responses') return responsesPhase;
  if (protocol.family === 'anthropic' && protocol.operation === 'messages') return anthropicPhase;
  if (protocol.family === 'gemini' && protocol.operation === 'generate') return geminiPhase;
  return undefined;
}

const DONE = '[DONE]';

/** Data that did not parse as a JSON object: text (not JSON) is malformed; a blank line or JSON of another shape carries nothing. */
const notAnObject = (data: JsonValue): StreamPhase => (typeof data === 'string' && data.trim() !== '' ? 'malformed' : 'preamble');

/**
 * Chat ends with `[DONE]`. A chunk with a `finish_reason` is accepted as terminal too: some
 * OpenAI-compatible servers close the connection right after it (or after the usage chunk that
 * follows it) without sending `[DONE]`, and by then the answer is whole — only the optional usage
 * chunk could still be missing.
 */
function chatPhase(ev: StreamEvent): StreamPhase {
  const data = ev.data;
  if (data === DONE) return 'sentinel';
  if (!isObject(data)) return notAnObject(data);
  if (data['error'] !== undefined && data['error'] !== null) return 'error';
  let phase: StreamPhase = 'preamble';
  for (const c of asArray(data['choices'])) {
    const choice = asObject(c);
    if (!choice) continue;
    // Non-empty: a few servers send `finish_reason: ""` on every chunk.
    const finish = choice['finish_reason'];
    if (typeof finish === 'string' && finish !== '') return 'terminal';
    const delta = asObject(choice['delta']);
    if (delta && chatDeltaHasContent(delta)) phase = 'content';
  }
  return phase;
}

/** Anything but a role and empty text counts (text, refusal, reasoning, tool calls, audio, …). */
function chatDeltaHasContent(delta: JsonObject): boolean {
  for (const key in delta) {
    if (key === 'role') continue;
    const v = delta[key];
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    return true;
  }
  return false;
}

const RESPONSES_PREAMBLE = new Set(['response.created', 'response.in_progress', 'response.queued', 'response.content_part.added', 'response.reasoning_summary_part.added']);

function responsesPhase(ev: StreamEvent): StreamPhase {
  const data = ev.data;
  if (data === DONE) return 'sentinel'; // not Responses' terminator, but some servers send it anyway
  if (!isObject(data)) return notAnObject(data);
  const type = asString(data['type']) ?? ev.event;
  if (type === 'error' || type === 'response.failed') return 'error';
  if (type === 'response.completed' || type === 'response.incomplete') return 'terminal';
  if (type !== undefined && RESPONSES_PREAMBLE.has(type)) return 'preamble';
  // An empty message or reasoning item opening is bookkeeping; a tool call's opening names the tool.
  if (type === 'response.output_item.added') {
    const kind = asObject(data['item'])?.['type'];
    if (kind === 'message' || kind === 'reasoning') return 'preamble';
  }
  return 'content';
}

function anthropicPhase(ev: StreamEvent): StreamPhase {
  const data = ev.data;
  if (!isObject(data)) return notAnObject(data);
  const type = asString(data['type']) ?? ev.event;
  switch (type) {
    case 'error': return 'error';
    case 'message_stop': return 'terminal';
    case 'message_start': case 'ping': return 'preamble';
    case 'content_block_start': {
      // Text and thinking blocks open empty; their deltas are the content. tool_use names a tool.
      const block = asObject(data['content_block']);
      const kind = block?.['type'];
      if (kind === 'text' && !asString(block?.['text'])) return 'preamble';
      if (kind === 'thinking' && !asString(block?.['thinking']) && !asString(block?.['signature'])) return 'preamble';
      return 'content';
    }
    default: return 'content';
  }
}

/** Gemini has no terminator event: the chunk carrying a candidate's finishReason is the last. */
function geminiPhase(ev: StreamEvent): StreamPhase {
  const data = ev.data;
  if (!isObject(data)) return notAnObject(data);
  if (isObject(data['error'])) return 'error';
  // A blocked prompt ends the stream with promptFeedback and no candidates.
  if (asString(asObject(data['promptFeedback'])?.['blockReason']) !== undefined) return 'terminal';
  let phase: StreamPhase = 'preamble';
  for (const c of asArray(data['candidates'])) {
    const candidate = asObject(c);
    if (!candidate) continue;
    const finish = candidate['finishReason'];
    if (typeof finish === 'string' && finish !== '' && finish !== 'FINISH_REASON_UNSPECIFIED') return 'terminal';
    for (const p of asArray(asObject(candidate['content'])?.['parts'])) {
      if (geminiPartHasContent(p)) phase = 'content';
    }
  }
  return phase;
}

function geminiPartHasContent(part: JsonValue): boolean {
  const p = asObject(part);
  if (!p) return false;
  for (const key in p) {
    if (key === 'thought') continue;
    if (key === 'text' && p[key] === '') continue;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// In-stream errors, read before the stream is committed: they become real HTTP errors (or a
// fallback), with the status the event implies.

const ANTHROPIC_STATUS: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403,
  not_found_error: 404, request_too_large: 413, rate_limit_error: 429, api_error: 500,
  timeout_error: 504, overloaded_error: 529,
};

const GEMINI_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403,
  NOT_FOUND: 404, RESOURCE_EXHAUSTED: 429, INTERNAL: 500, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504,
};

/** OpenAI codes that have an HTTP meaning (a mid-stream error carries no status of its own). */
const OPENAI_CODE_STATUS: Record<string, number> = {
  rate_limit_exceeded: 429, insufficient_quota: 429, invalid_request_error: 400, invalid_prompt: 400,
  context_length_exceeded: 400, server_error: 502, server_is_overloaded: 503,
};

/** `table[key]` for the table's own keys only: the key is the upstream's, and `constructor` is not a status. */
const statusIn = (table: Record<string, number>, key: string | undefined): number | undefined => (key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined);

/**
 * The failure an `error`-phase event reports, as an upstream error with its implied status — also
 * the translator's reading of an error met after the stream was committed, so an overload or a
 * rate limit keeps its meaning (Anthropic clients get `overloaded_error`, `rate_limit_error`).
 */
export function streamError(protocol: Protocol, provider: string | undefined, ev: StreamEvent): GatewayError {
  const data = asObject(ev.data) ?? {};
  const fallback = `${provider === undefined ? 'the provider' : `provider ${provider}`} reported an error in its stream`;
  switch (protocol.family) {
    case 'anthropic': {
      const err = asObject(data['error']);
      const type = asString(err?.['type']) ?? '';
      return new GatewayError('SLUICE_E_UPSTREAM_ERROR', asString(err?.['message']) ?? fallback, {
        status: statusIn(ANTHROPIC_STATUS, type) ?? 502, upstream: { family: 'anthropic', body: data },
      });
    }
    case 'gemini': {
      const err = asObject(data['error']) ?? {};
      const status = httpStatus(err['code']) ?? statusIn(GEMINI_STATUS, asString(err['status'])) ?? 502;
      return new GatewayError('SLUICE_E_UPSTREAM_ERROR', asString(err['message']) ?? fallback, { status, upstream: { family: 'gemini', body: data } });
    }
    case 'openai': {
      // Chat: {error: {...}}. Responses: an `error` event with the fields at the top level (older
      // servers nest them under `error`), or `response.failed` with `response.error`.
      const err = asObject(data['error']) ?? asObject(asObject(data['response'])?.['error']) ?? data;
      const message = asString(err['message']) ?? fallback;
      const type = asString(err['type']);
      const code = err['code'] ?? null;
      const status = httpStatus(code) ?? httpStatus(err['status'])
        ?? statusIn(OPENAI_CODE_STATUS, asString(code)) ?? statusIn(OPENAI_CODE_STATUS, type) ?? 502;
      // Chat already sends the OpenAI envelope; the Responses shapes are re-wrapped into it, a
      // missing type (or the event's own `error`) becoming the class of the status the code gave
      // (429 → rate_limit_error…), as an HTTP error of that status would carry.
      const classOfStatus = () => new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status }).typeFor('openai');
      const body: JsonObject = asObject(data['error']) && protocol.operation === 'chat' ? data
        : { error: { message, type: type === 'error' || type === undefined ? classOfStatus() : type, param: err['param'] ?? null, code: typeof code === 'string' || typeof code === 'number' ? code : null } };
      return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status, upstream: { family: 'openai', body } });
    }
  }
}

function httpStatus(v: JsonValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;
  return n !== undefined && n >= 400 && n <= 599 ? n : undefined;
}
