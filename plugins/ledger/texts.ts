// The text a request sent and its answer returned, read through core's protocol views, for the
// independent count and for estimates. Also says whether the request holds what a text count
// cannot see (tool definitions, images, files, tool-call framing).
import { asObject, createRequestView, createResponseView, type Exchange, type JsonObject, type JsonValue, type Protocol } from '../../core/index.js';
import { STREAM_CAPTURE } from './capture.js';

export interface RequestText {
  segments: string[];
  chars: number;
  /** Messages, input items or contents: each costs a few framing tokens. */
  turns: number;
  /** False when the billed prompt includes what the text count cannot see. */
  countable: boolean;
}

export interface ResponseText {
  text: string;
  /** Reasoning the provider showed. */
  reasoning: string;
  /** False when the text is known to be only part of the answer (a cut stream, a capped capture). */
  complete: boolean;
}

const NON_TEXT_TYPES = new Set(['image_url', 'input_image', 'image', 'input_audio', 'audio', 'file', 'input_file', 'document', 'video_url']);
const NON_TEXT_KEYS = new Set(['inlineData', 'fileData', 'image_url', 'input_audio']);

/**
 * True when some part of the body is an image, audio or file (bounded walk: a body is at most
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
  for (const key in value) {
    const v = value[key]!;
    if (key === 'type' && typeof v === 'string' && NON_TEXT_TYPES.has(v)) return true;
    if (NON_TEXT_KEYS.has(key)) return true;
    if (v !== null && typeof v === 'object') {
      if (hasNonText(v, budget)) return true;
    } else if (--budget.nodes < 0) {
      return true;
    }
  }
  return false;
}

function hasTools(body: JsonObject): boolean {
  const tools = body['tools'] ?? body['functions'];
  if (Array.isArray(tools) && tools.length > 0) return true;
  // Gemini puts tools (and a system instruction with its own framing) at the top level too.
  return asObject(body['toolConfig']) !== undefined;
}

/** The request as it went upstream (translated, where it was), else as the client sent it. */
export function requestText(exchange: Exchange, maxChars: number): RequestText | undefined {
  const upstream = exchange.upstream;
  const view = upstream ? createRequestView(upstream.protocol, upstream.body) : exchange.view();
  const segments: string[] = [];
  let chars = 0;
  for (const s of view.segments()) {
    chars += s.text.length;
    if (chars > maxChars) return undefined;
    segments.push(s.text);
  }
  const body = view.body;
  const countable = !hasTools(body) && view.toolCalls().length === 0 && view.toolResults().length === 0 && !hasNonText(body, { nodes: 20_000 });
  return { segments, chars, turns: view.turns(), countable };
}

/** What the model answered: from the stream capture, or the JSON body through the response view. */
export function responseText(exchange: Exchange, maxChars: number): ResponseText | undefined {
  const capture = exchange.get(STREAM_CAPTURE);
  if (capture) return { text: capture.text.join(''), reasoning: capture.reasoning.join(''), complete: capture.complete && !capture.truncated };
  const response = exchange.response;
  if (!response || response.kind !== 'json' || response.status >= 400) return undefined;
  return jsonAnswerText(response.protocol, response.body, maxChars);
}

function jsonAnswerText(protocol: Protocol, body: JsonValue, maxChars: number): ResponseText | undefined {
  let text = '';
  let reasoning = '';
  for (const s of createResponseView(protocol, body).segments()) {
    if (s.kind === 'reasoning') reasoning += s.text;
    else text += s.text;
    if (text.length + reasoning.length > maxChars) return undefined;
  }
  return { text, reasoning, complete: true };
}
