// A system instruction added by a plugin, where each protocol keeps the client's own system prompt:
// the model reads it as the operator's rule, not as something said in the conversation (addNote).
// Appended after what the client wrote, so a constant instruction keeps the client's prompt-cache
// prefix intact. A system field of a type the protocol does not allow is left as it is (the
// provider will refuse or ignore it) and the instruction goes in as a note instead: dropped, it
// would be a rule silently not applied.
import { asObject, isObject } from '../json.js';
import type { JsonObject } from '../types.js';
import { noteMessages } from './request-anthropic.js';
import { noteGenerate } from './request-gemini.js';

const SEPARATOR = '\n\n';

/** Chat: a system message after the leading system and developer messages. */
export function instructChat(body: JsonObject, text: string): void {
  const messages = Array.isArray(body['messages']) ? body['messages'] : (body['messages'] = []);
  let at = 0;
  while (at < messages.length && isObject(messages[at]) && isSystemRole((messages[at] as JsonObject)['role'])) at++;
  messages.splice(at, 0, { role: 'system', content: text });
}

function isSystemRole(role: unknown): boolean {
  return role === 'system' || role === 'developer';
}

/** Responses: the `instructions` string. */
export function instructResponses(body: JsonObject, text: string): void {
  const current = body['instructions'];
  if (typeof current === 'string' && current !== '') body['instructions'] = current + SEPARATOR + text;
  else if (current === undefined || current === null || current === '') body['instructions'] = text;
  else noteResponsesFallback(body, text);
}

function noteResponsesFallback(body: JsonObject, text: string): void {
  const note = { type: 'message', role: 'developer', content: [{ type: 'input_text', text }] };
  if (Array.isArray(body['input'])) body['input'].unshift(note);
  else if (typeof body['input'] === 'string') body['input'] = [note, { type: 'message', role: 'user', content: [{ type: 'input_text', text: body['input'] }] }];
  else body['input'] = [note];
}

/** Anthropic Messages and count_tokens: the `system` prompt, a string or text blocks. */
export function instructMessages(body: JsonObject, text: string): void {
  const system = body['system'];
  if (system === undefined || system === null || system === '') body['system'] = text;
  else if (typeof system === 'string') body['system'] = system + SEPARATOR + text;
  else if (Array.isArray(system)) system.push({ type: 'text', text });
  else noteMessages(body, text);
}

/**
 * Gemini generateContent and countTokens: `systemInstruction` (or the `system_instruction` the client
 * spelt), inside `generateContentRequest` when countTokens wraps one. A countTokens body of bare
 * `contents` has no system instruction: the text is counted as a part of the last user turn.
 */
export function instructGenerate(outer: JsonObject, text: string, countTokens: boolean): void {
  const wrapped = asObject(outer['generateContentRequest'] ?? outer['generate_content_request']);
  const body = wrapped ?? outer;
  if (countTokens && !wrapped) { noteGenerate(outer, text); return; }
  const key = body['system_instruction'] !== undefined && body['systemInstruction'] === undefined ? 'system_instruction' : 'systemInstruction';
  const system = body[key];
  if (system === undefined || system === null) { body[key] = { parts: [{ text }] }; return; }
  if (typeof system === 'string') { body[key] = { parts: [{ text: system }, { text }] }; return; }
  const parts = isObject(system) ? system['parts'] : undefined;
  if (isObject(system) && (parts === undefined || parts === null)) { system['parts'] = [{ text }]; return; }
  if (Array.isArray(parts)) { parts.push({ text }); return; }
  noteGenerate(outer, text);
}
