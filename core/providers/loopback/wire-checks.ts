// The body-shape refusals a real provider answers before it reads anything, worded as each API
// words them: a flow developed against loopback must fail offline where it will fail online
// (`"messages": "text"`, a message whose content is a number, no messages at all, an Anthropic
// request without `max_tokens`). Only shapes no provider accepts are refused — loopback's answers to
// every valid body stay as they were, and so does one it has always answered that a real API
// refuses and tests rely on (an empty Gemini `contents` list).
import { GatewayError } from '../../errors.js';
import type { UpstreamRequest } from '../../exchange.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';

/** Throws the protocol's own 400 when the body has a shape its real API refuses. */
export function refuseMalformed(request: UpstreamRequest): void {
  const body = request.body;
  switch (`${request.protocol.family}.${request.protocol.operation}`) {
    case 'openai.chat': return checkChat(body);
    case 'openai.responses': return checkResponses(body);
    case 'anthropic.messages': return checkAnthropic(body, true);
    case 'anthropic.count_tokens': return checkAnthropic(body, false);
    case 'gemini.generate': return checkGemini(body, true);
    case 'gemini.count_tokens': return checkGemini(body, false);
    default: return;
  }
}

const CHAT_ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

function checkChat(body: JsonObject): void {
  const messages = body['messages'];
  if (messages === undefined) throw openaiMissing('messages');
  if (!Array.isArray(messages)) throw openaiType('messages', 'an array of objects', messages);
  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) throw openaiType(at, 'an object', m);
    const role = m['role'];
    if (role === undefined) throw openaiMissing(`${at}.role`);
    if (typeof role !== 'string' || !CHAT_ROLES.includes(role)) {
      throw openaiError(`Invalid value: ${quoted(role)}. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `${at}.role`, 'invalid_value');
    }
    const content = m['content'];
    // An assistant turn that only calls tools (or refuses) carries no content, or null.
    if (content === undefined || content === null) {
      if (role === 'assistant') return;
      throw openaiMissing(`${at}.content`);
    }
    if (typeof content !== 'string' && !Array.isArray(content)) throw openaiType(`${at}.content`, 'one of a string or array of objects', content);
  });
}

function checkResponses(body: JsonObject): void {
  // `input` may be left out (previous_response_id, a stored prompt); when given it is text or items.
  const input = body['input'];
  if (input === undefined || typeof input === 'string') return;
  if (!Array.isArray(input)) throw openaiType('input', 'one of a string or array of input items', input);
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    if (!isObject(item)) throw openaiType(at, 'an input item object', item);
    // A message item (role, with or without type "message") holds text or a list of content parts.
    if (item['role'] === undefined || (item['type'] !== undefined && item['type'] !== 'message')) return;
    const content = item['content'];
    if (content === undefined) throw openaiMissing(`${at}.content`);
    if (typeof content !== 'string' && !Array.isArray(content)) throw openaiType(`${at}.content`, 'one of a string or array of input content items', content);
  });
}

const ANTHROPIC_ROLES = ['user', 'assistant', 'system'];

/** `generating`: a Messages call (count_tokens takes no `max_tokens`). */
function checkAnthropic(body: JsonObject, generating: boolean): void {
  const messages = body['messages'];
  if (messages === undefined) throw anthropicError('messages: Field required');
  if (!Array.isArray(messages)) throw anthropicError('messages: Input should be a valid list');
  if (generating && body['max_tokens'] === undefined) throw anthropicError('max_tokens: Field required');
  if (!messages.length) throw anthropicError('messages: at least one message is required');
  messages.forEach((m, i) => {
    const at = `messages.${i}`;
    if (!isObject(m)) throw anthropicError(`${at}: Input should be a valid dictionary`);
    const role = m['role'];
    if (role === undefined) throw anthropicError(`${at}.role: Field required`);
    if (typeof role !== 'string' || !ANTHROPIC_ROLES.includes(role)) throw anthropicError(`${at}.role: Input should be 'user', 'assistant' or 'system'`);
    // A mid-conversation `system` message (Claude Code appends one after the user's turn) is taken
    // only right after a user turn; anywhere else Anthropic refuses it as a misplaced system prompt.
    const previous = messages[i - 1];
    if (role === 'system' && !(isObject(previous) && previous['role'] === 'user')) {
      throw anthropicError(`messages: Unexpected role "system" at ${at}. The Messages API accepts a top-level \`system\` parameter; a "system" message is allowed only right after a "user" message.`);
    }
    const content = m['content'];
    if (content === undefined) throw anthropicError(`${at}.content: Field required`);
    if (typeof content !== 'string' && !Array.isArray(content)) throw anthropicError(`${at}.content: Input should be a valid list`);
  });
}

/** `required`: generateContent needs contents; countTokens may count a generateContentRequest instead. */
function checkGemini(body: JsonObject, required: boolean): void {
  const contents = body['contents'];
  if (contents === undefined) {
    if (required) throw geminiError('* GenerateContentRequest.contents: contents is not specified\n');
    return;
  }
  // Google's JSON reader takes one object for a repeated field, never a scalar.
  const list = Array.isArray(contents) ? contents : [contents];
  const where = (i: number) => (Array.isArray(contents) ? `contents[${i}]` : 'contents');
  if (!isObject(contents) && !Array.isArray(contents)) throw geminiValue('contents', 'Content', contents);
  list.forEach((c, i) => {
    if (!isObject(c)) throw geminiValue(where(i), 'Content', c);
    const parts = c['parts'];
    if (parts !== undefined && !isObject(parts) && !Array.isArray(parts)) throw geminiValue(`${where(i)}.parts`, 'Part', parts);
  });
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What OpenAI calls a value's type in its messages ("but got an integer instead"). */
function openaiTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': return Number.isInteger(v) ? 'an integer' : 'a decimal';
    case 'boolean': return 'a boolean';
    default: return 'an object';
  }
}

function quoted(v: JsonValue | undefined): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? 'undefined';
}

function openaiError(message: string, param: string, code: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: 400, param, upstream: { family: 'openai', body: { error: { message, type: 'invalid_request_error', param, code } } },
  });
}
const openaiMissing = (param: string) => openaiError(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
const openaiType = (param: string, expected: string, got: JsonValue) =>
  openaiError(`Invalid type for '${param}': expected ${expected}, but got ${openaiTypeName(got)} instead.`, param, 'invalid_type');

function anthropicError(message: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: 400, upstream: { family: 'anthropic', body: { type: 'error', error: { type: 'invalid_request_error', message } } },
  });
}

function geminiError(message: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: 400, upstream: { family: 'gemini', body: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } } },
  });
}
const geminiValue = (at: string, type: string, got: JsonValue) =>
  geminiError(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.${type}), ${JSON.stringify(got)}`);
