// The text a request sent and its answer returned, read through core's protocol views, for the
// independent count and for estimates. Also says whether the request holds what a text count
// cannot see (tool definitions, images, files, tool-call framing).
import { asArray, asObject, isObject, createRequestView, createResponseView, plainChatAnswer, plainChatTexts, requestTokenIds, type Exchange, type JsonObject, type JsonValue, type Protocol } from '../../core/index.js';
import { capturedText, STREAM_CAPTURE } from './capture.js';

export interface RequestText {
  segments: string[];
  chars: number;
  /** Messages, input items or contents: each costs a few framing tokens. */
  turns: number;
  /** False when the billed prompt includes what the text count cannot see. */
  countable: boolean;
  /**
   * Longer than `count.max_chars`: no segment is kept and `chars` is the whole length, so the prompt
   * is never counted, only estimated from its length where a figure is missing.
   */
  capped?: true;
  /**
   * Tokens the request gave as token ids (OpenAI embeddings take `input` as arrays of integers, billed
   * one token each): no text to count, but their number is the count, whatever the tokenizer.
   */
  tokenIds?: number;
}

export interface ResponseText {
  text: string;
  /** Reasoning the provider showed. */
  reasoning: string;
  /** False when the text is known to be only part of the answer (a cut stream, a capped capture). */
  complete: boolean;
  /** A stream that did not run to its end (the client left, the upstream broke off). */
  cut?: true;
  /** Longer than `count.max_chars`: the answer's whole length (text and reasoning), of which `text` holds at most a part; estimated from it, never counted. */
  cappedChars?: number;
}

const NON_TEXT_TYPES = new Set(['image_url', 'input_image', 'image', 'input_audio', 'audio', 'file', 'input_file', 'document', 'video_url']);
/** Compared, not looked up in a Set: every key of a counted body passes here, and keys are interned (a compare is a pointer test). */
const isNonTextKey = (key: string) => key === 'inlineData' || key === 'fileData' || key === 'image_url' || key === 'input_audio';

/**
 * True when some part of the value is an image, audio or file (bounded walk: a body is at most
 * max_json_depth deep; past `budget` values it answers true). One pass over each object's keys,
 * recursing only into objects: this runs for every counted request.
 */
function hasNonText(value: JsonValue, budget: { nodes: number }): boolean {
  if (--budget.nodes < 0) return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNonText(value[i]!, budget)) return true;
    return false;
  }
  for (const key in value) if (nonTextAt(key, value[key]!, budget)) return true;
  return false;
}

/** hasNonText for the value held at `key` of an object (a primitive value counts one node, without a call). */
function nonTextAt(key: string, v: JsonValue, budget: { nodes: number }): boolean {
  if (key === 'type' && typeof v === 'string' && NON_TEXT_TYPES.has(v)) return true;
  if (isNonTextKey(key)) return true;
  if (v !== null && typeof v === 'object') return hasNonText(v, budget);
  return --budget.nodes < 0;
}

/**
 * False when the body declares tools (declaresTools) or holds an image, audio or file (hasNonText,
 * the same walk and budget). `skip` names a key whose value the caller has already found to be
 * text only (a plain Chat body's `messages`, see requestText): each object walked is a `for…in`,
 * the walk's main cost. `noTools`: the caller found that the body declares none (declaresTools).
 */
export function textOnlyBody(body: JsonObject, skip?: string, noTools = false): boolean {
  if (!noTools && declaresTools(body)) return false;
  const budget = { nodes: 20_000 - 1 }; // the body itself is the walk's first node
  for (const key in body) if (key !== skip && nonTextAt(key, body[key]!, budget)) return false;
  return true;
}

/**
 * True when the body declares tools: a non-empty `tools` (else `functions`), or a Gemini
 * `toolConfig`. `Object.hasOwn` first: it looks in the body's own keys and nowhere else. A key the
 * body lacks, read by name, misses the gateway's megamorphic load cache and walks the prototype
 * chain (~0.1 µs each); a `for…in` over the body had V8 build its key list (perf: ~1.9 µs).
 */
export function declaresTools(body: JsonObject): boolean {
  const own = (key: string) => (Object.hasOwn(body, key) ? body[key] : undefined);
  const list = own('tools') ?? own('functions');
  return (Array.isArray(list) && list.length > 0) || asObject(own('toolConfig')) !== undefined;
}

/**
 * The request as it went upstream (translated, where it was), else as the client sent it.
 * `noTools`: the caller found that the body declares no tools (declaresTools; not asked again).
 */
export function requestText(exchange: Exchange, maxChars: number, noTools = false): RequestText {
  const upstream = exchange.upstream;
  const plain = upstream && isChat(upstream.protocol) ? plainChatTexts(upstream.body) : undefined;
  if (plain) {
    let chars = 0;
    for (let i = 0; i < plain.length; i++) chars += plain[i]!.length;
    if (chars > maxChars) return capped(chars + toolsLength(upstream!.body), plain.length);
    // Every message is a role, a name and a string content (plainChatTexts): only the rest of the body can hold tools or non-text parts.
    return withTools(plain, chars, plain.length, textOnlyBody(upstream!.body, 'messages', noTools), upstream!.body, maxChars);
  }
  const view = upstream ? createRequestView(upstream.protocol, upstream.body) : exchange.view();
  const segments: string[] = [];
  let chars = 0;
  for (const s of view.segments()) {
    chars += s.text.length;
    if (chars <= maxChars) segments.push(s.text);
  }
  const body = view.body;
  const ids = requestTokenIds(view);
  const text = chars > maxChars ? capped(chars + toolsLength(body), view.turns())
    : withTools(segments, chars, view.turns(), view.toolCalls().length === 0 && view.toolResults().length === 0 && textOnlyBody(body, undefined, noTools), body, maxChars);
  if (ids > 0) text.tokenIds = ids;
  return text;
}

/**
 * The request's texts, with the JSON of the tool definitions its body declares as one more segment:
 * they are billed as input (each provider renders them its own way), so an input estimate made
 * without a usage report counts them. Only a prompt that is not countable can have them, and its
 * count is never set against a bill.
 */
function withTools(segments: string[], chars: number, turns: number, countable: boolean, body: JsonObject, maxChars: number): RequestText {
  const tools = countable ? undefined : toolsJson(body);
  if (tools === undefined) return { segments, chars, turns, countable };
  if (chars + tools.length > maxChars) return capped(chars + tools.length, turns);
  return { segments: [...segments, tools], chars: chars + tools.length, turns, countable };
}

/** A prompt over `count.max_chars`: its length (tool definitions included) for an estimate, no segments. */
const capped = (chars: number, turns: number): RequestText => ({ segments: [], chars, turns, countable: false, capped: true });
const toolsLength = (body: JsonObject): number => toolsJson(body)?.length ?? 0;

/** The JSON of the tool definitions a body declares, if any. */
function toolsJson(body: JsonObject): string | undefined {
  const list = Object.hasOwn(body, 'tools') ? body['tools'] : Object.hasOwn(body, 'functions') ? body['functions'] : undefined;
  return Array.isArray(list) && list.length > 0 ? JSON.stringify(list) : undefined;
}

const isChat = (p: Protocol) => p.family === 'openai' && p.operation === 'chat';

/** What the model answered: from the stream capture, or the JSON body through the response view. */
export function responseText(exchange: Exchange, maxChars: number): ResponseText | undefined {
  const capture = exchange.get(STREAM_CAPTURE);
  if (capture) {
    const text: ResponseText = { text: capturedText(capture), reasoning: capture.reasoning.join(''), complete: capture.complete && !capture.truncated };
    if (!capture.complete) text.cut = true;
    if (capture.truncated) text.cappedChars = capture.chars;
    return text;
  }
  const response = exchange.response;
  if (!response || response.kind !== 'json' || response.status >= 400) return undefined;
  return jsonAnswerText(response.protocol, response.body, maxChars);
}

/**
 * A JSON answer's text as a stream of it is captured (capture.ts): the text, each tool call's name
 * and whole arguments (the view's `tool_arguments` segments are only the strings inside them), and
 * the reasoning shown — once: a Chat message may carry it twice, as `reasoning_content` and again in
 * `reasoning_details` (the translator writes both, for clients that send thinking back), so there,
 * as in a Chat stream, the message's own field is read.
 */
function jsonAnswerText(protocol: Protocol, body: JsonValue, maxChars: number): ResponseText {
  const plain = isChat(protocol) && isObject(body) ? plainChatAnswer(body) : undefined;
  if (plain !== undefined) return plain.length > maxChars ? cappedAnswer(plain.length) : { text: plain, reasoning: '', complete: true };
  const view = createResponseView(protocol, body);
  let text = '';
  let reasoning = '';
  for (const s of view.segments()) {
    if (s.kind === 'reasoning') reasoning += s.text;
    else if (s.kind !== 'tool_arguments') text += s.text;
  }
  for (const call of view.toolCalls()) text += call.name + call.arguments;
  const shown = (isChat(protocol) && chatReasoning(body)) || reasoning;
  const chars = text.length + shown.length;
  return chars > maxChars ? cappedAnswer(chars) : { text, reasoning: shown, complete: true };
}

/** An answer over `count.max_chars`: its length only, for an estimate. */
const cappedAnswer = (chars: number): ResponseText => ({ text: '', reasoning: '', complete: false, cappedChars: chars });

/** A Chat answer's reasoning as its messages' `reasoning_content` (else `reasoning`) give it: '' when none does. */
function chatReasoning(body: JsonValue): string {
  let out = '';
  for (const c of asArray(asObject(body)?.['choices'])) {
    const m = asObject(asObject(c)?.['message']);
    const r = m?.['reasoning_content'] ?? m?.['reasoning'];
    if (typeof r === 'string') out += r;
  }
  return out;
}
