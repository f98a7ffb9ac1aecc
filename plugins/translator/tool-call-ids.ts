// Tool-call ids as state carriers, and ids Anthropic accepts.
//
// Gemini signs function calls (`thoughtSignature`) and Gemini 3 refuses the next turn without the
// signature on the call. Chat clients keep it in `extra_content` (provider-state.ts); Anthropic
// `tool_use` blocks and Responses `function_call` items have no field for it that clients send
// back — but every client sends the call's id back unchanged, twice: on the call in the history
// and on its result. So for those clients the (tagged) signature rides inside the id:
// `<id>_sluicesig1_<payload>`, in characters Anthropic's id pattern allows. The client decoders
// split it off again, so the id any upstream sees is the provider's own.
//
// Ids flow one way per turn: an upstream mints them in its answer, the client stores them and
// sends them back in the next request. Anthropic requires ^[a-zA-Z0-9_-]+$; other providers mint
// ids such as `functions.get_weather:0` (Kimi). Those are mapped, deterministically, only where
// they go to Anthropic — its answers never repeat an id from the history, so the client only ever
// sees the ids it was given. OpenAI refuses ids longer than 40 characters in Chat and 64 in
// Responses ("string too long"), which Gemini CLI's `<tool>_<timestamp>_<n>` and Gemini's minted
// ids exceed with longer tool names: those are shortened, the same way, where they go to OpenAI.
import { createHash } from 'node:crypto';
import { isMistralModel } from './strict-servers.js';

const MARKER = '_sluicesig1_';
/** A Gemini signature tagged for another family (`sluice1.gemini.` + standard base64, padded). */
const TAGGED_GEMINI = /^sluice1\.gemini\.((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * The id a client of another family is given for a call carrying `signature`. The usual case —
 * a tagged Gemini signature in base64 — is stored as base64url without padding ('g'); anything
 * else as the base64url of its UTF-8 bytes ('u').
 */
export function idWithSignature(id: string, signature: string | undefined): string {
  if (signature === undefined || signature === '') return id;
  const gemini = TAGGED_GEMINI.exec(signature);
  const payload = gemini
    ? `g${gemini[1]!.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`
    : `u${Buffer.from(signature, 'utf8').toString('base64url')}`;
  return `${id}${MARKER}${payload}`;
}

/** The provider's id and the signature a client id carries (none when it carries nothing). */
export function splitSignature(value: string): { id: string; signature?: string } {
  const at = value.indexOf(MARKER);
  if (at === -1) return { id: value };
  const id = value.slice(0, at);
  const payload = value.slice(at + MARKER.length);
  const body = payload.slice(1);
  if (payload.startsWith('g') && /^[A-Za-z0-9_-]*$/.test(body)) {
    const b64 = body.replace(/-/g, '+').replace(/_/g, '/');
    return { id, signature: `sluice1.gemini.${b64}${'='.repeat((4 - (b64.length % 4)) % 4)}` };
  }
  if (payload.startsWith('u') && /^[A-Za-z0-9_-]*$/.test(body)) {
    return { id, signature: Buffer.from(body, 'base64url').toString('utf8') };
  }
  return { id: value }; // not ours after all: the id stays whole
}

/** The id itself without any carried signature (tool results, and passthrough bodies). */
export function bareId(value: string): string {
  return splitSignature(value).id;
}

/**
 * `id` as Anthropic accepts it: unchanged when it already fits, else its characters outside the
 * pattern replaced by `_` plus a hash of the original, so the call and its result map alike and
 * two ids that differ only in those characters stay apart. At most 64 characters, the limit some
 * Anthropic-compatible servers put on ids.
 */
export function anthropicToolId(id: string): string {
  if (ANTHROPIC_ID.test(id)) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `${id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 51)}_${hash}`;
}

/** OpenAI's limits on call ids: Chat `tool_calls[].id` / `tool_call_id`, Responses `call_id`. */
const CHAT_ID_MAX = 40;
const RESPONSES_ID_MAX = 64;

/**
 * `id` within `max` characters: unchanged when it fits, else its start plus a hash of the whole,
 * so the call and its result map alike and ids sharing a long prefix stay apart.
 */
function shortenedId(id: string, max: number): string {
  if (id.length <= max) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `${id.slice(0, max - hash.length - 1)}_${hash}`;
}

/** `id` as OpenAI Chat accepts it (40 characters at most). */
export function chatToolId(id: string): string {
  return shortenedId(id, CHAT_ID_MAX);
}

/**
 * Mistral's models take only call ids of nine letters and digits ("Tool call id was toolu_1 but must
 * be a-z, A-Z, 0-9, with a length of 9."), on Mistral's API and wherever Mistral's tokenizer checks
 * the request (vLLM, OpenRouter's Mistral endpoints); their names carry their family.
 */
const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `id` as Mistral accepts it: unchanged when it fits, else nine letters and digits of its hash (a call and its result alike). */
export function mistralToolId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHANUMERIC[digest[i]! % ALPHANUMERIC.length];
  return out;
}

/** How a Chat upstream serving `model` takes call ids: Mistral's models their own way, others OpenAI's. */
export function chatToolIdFor(model: string): (id: string) => string {
  return isMistralModel(model) ? mistralToolId : chatToolId;
}

/** `call_id` as the Responses API accepts it (64 characters at most). */
export function responsesCallId(id: string): string {
  return shortenedId(id, RESPONSES_ID_MAX);
}
