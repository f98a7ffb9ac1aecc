// Small helpers every codec needs.
import { createHash } from 'node:crypto';
import { GatewayError, type JsonObject, type JsonValue } from '../../core/index.js';
import type { IrMessage, IrRequest } from './ir.js';

/** Tool-call arguments as an object; a model that produced invalid JSON gets its text kept under `_raw`. */
export function parseArguments(text: string): JsonObject {
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as JsonValue;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { _value: v };
  } catch {
    return { _raw: text };
  }
}

/** Clients JSON.parse function arguments: a call with no arguments at all is sent as `{}`. */
export function argumentsOrEmptyObject(args: string): string {
  return args.trim() === '' ? '{}' : args;
}

/** True once `text` is one complete JSON value (used to know a streamed tool call is finished). */
export function isCompleteJson(text: string): boolean {
  if (text.trim() === '') return false;
  try { JSON.parse(text); return true; } catch { return false; }
}

/**
 * `list` with `item` added. A first item makes a one-slot array: a push to an empty one reserves
 * seventeen slots, and a long conversation's IR holds hundreds of one-part lists for a request's life.
 */
export function withItem<T>(list: T[], item: T): T[] {
  if (list.length === 0) return [item];
  list.push(item);
  return list;
}

/** Deterministic ids derived from the request id: `prefix_<requestid>` plus an optional suffix. */
export function mintId(prefix: string, requestId: string, suffix?: string | number): string {
  const core = requestId.replace(/[^A-Za-z0-9]/g, '').slice(-24);
  return suffix === undefined ? `${prefix}_${core}` : `${prefix}_${core}_${suffix}`;
}

export function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('SLUICE_E_INVALID_REQUEST', message, { param: param ?? null });
}

/**
 * A rough token count (about 4 characters per token, as OpenAI's guidance) for places that need a
 * number before the upstream reports one: count_tokens on providers without such an endpoint, and
 * the first Anthropic stream event. Real counts replace it as soon as the upstream sends them.
 */
export function estimateTokens(request: Pick<IrRequest, 'system' | 'messages' | 'tools'>): number {
  let chars = 0;
  for (const s of request.system) chars += s.text.length;
  for (const m of request.messages) chars += messageChars(m) + 4;
  for (const t of request.tools) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters).length;
  return Math.max(1, Math.ceil(chars / 4));
}

function messageChars(m: IrMessage): number {
  let n = 0;
  for (const p of m.parts) {
    switch (p.type) {
      case 'text': n += p.text.length; break;
      case 'thinking': n += p.text.length; break;
      case 'tool_call': n += p.name.length + p.arguments.length; break;
      case 'tool_result': for (const c of p.content) n += c.type === 'text' ? c.text.length : 1000; break;
      case 'image': n += 1000; break; // images cost a fixed-ish amount; ~250 tokens is typical
      case 'document': n += 4000 + (p.source.kind === 'base64' ? p.source.data.length / 8 : 0); break; // a PDF: pages of text, ~1500 tokens each
      case 'redacted_thinking': n += p.data.length / 4; break;
    }
  }
  return n;
}

/** OpenAI's limit on `user`, on Chat Completions and Responses alike. */
const OPENAI_USER_MAX = 64;

/**
 * The end-user id as OpenAI takes it. Claude Code's `metadata.user_id` is a JSON blob of ~150
 * characters and OpenAI refuses a `user` over 64 ("string too long"), failing every turn; its
 * SHA-256 in hex is exactly 64 and still tells one user from another, the field's purpose.
 */
export function openaiUser(user: string): string {
  return user.length <= OPENAI_USER_MAX ? user : createHash('sha256').update(user).digest('hex');
}
