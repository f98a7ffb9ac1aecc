// Where Gemini requests keep their text and tools: generateContent, countTokens, embedContent and
// batchEmbedContents. The readers here are shared: the view collects from them, the translator decodes
// through them (sink.ts).
import { asArray, asObject, asString, isObject } from '../json.js';
import type { JsonObject, JsonValue } from '../types.js';
import { names } from './collector.js';
import { NO_PATH, skipped, type RequestSink } from './sink.js';
import type { BodyPath } from './types.js';

/**
 * The key under which a part or body holds `camel` — or its snake_case spelling, which the Gemini API
 * accepts as well (proto JSON takes both, and Google's curl examples write `system_instruction`,
 * `function_response`): a reader that knew only the camelCase one would leave such a part unread —
 * unscanned by the firewall, unseen by the loop detector — while the provider still reads it.
 */
function keyOf(o: JsonObject, camel: string, snake: string): string {
  return o[snake] !== undefined && o[camel] === undefined ? snake : camel;
}

/** countTokens may wrap a whole generate request; `wrongKey` names a wrapper that is not an object. */
function generateBody(body: JsonObject): { body: JsonObject; path: (string | number)[]; wrongKey?: string } {
  const key = keyOf(body, 'generateContentRequest', 'generate_content_request');
  const wrapped = body[key];
  const inner = asObject(wrapped);
  if (inner) return { body: inner, path: [key] };
  return wrapped === undefined || wrapped === null ? { body, path: [] } : { body, path: [], wrongKey: key };
}

function systemKey(body: JsonObject): string {
  return keyOf(body, 'systemInstruction', 'system_instruction');
}

/** `systemInstruction` (or `system_instruction`): a string or a content's text parts. */
export function readGenerateSystem(body: JsonObject, sink: RequestSink, base: BodyPath = []): void {
  const sysKey = systemKey(body);
  const system = asObject(body[sysKey]);
  if (!system) { sink.text('system', 'system', -1, body, sysKey, base); return; }
  const list = system['parts'];
  if (!Array.isArray(list)) { skipped(sink, list, [...base, sysKey], 'parts'); return; }
  const parts = list;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!isObject(p)) { skipped(sink, p, [...base, sysKey, 'parts'], i); continue; }
    const at = sink.paths ? [...base, sysKey, 'parts', i] : NO_PATH;
    const text = p['text'];
    if (typeof text === 'string') sink.text('system', 'system', -1, p, 'text', at);
    else {
      skipped(sink, text, at, 'text');
      sink.other(partType(p) ?? 'unknown', 'system', 'system', -1, p, at);
    }
  }
}

/** One content (a turn): text, thoughts, function calls and responses, signatures; media left to the sink. */
export function readGenerateContent(content: JsonObject, turn: number, sink: RequestSink, base: BodyPath = []): void {
  const role = asString(content['role']) ?? 'user';
  const list = content['parts'];
  if (!Array.isArray(list)) { skipped(sink, list, [...base, 'contents', turn], 'parts'); return; }
  const parts = list;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isObject(p)) readGeneratePart(p, role, turn, sink.paths ? [...base, 'contents', turn, 'parts', i] : NO_PATH, sink);
    else skipped(sink, p, [...base, 'contents', turn, 'parts'], i);
  }
}

/** One part of a content (also of a response candidate's content, part by part in a stream). */
export function readGeneratePart(p: JsonObject, role: string, turn: number, at: BodyPath, sink: RequestSink): void {
  const signed = typeof p['thoughtSignature'] === 'string';
  const text = p['text'];
  if (typeof text === 'string') {
    if (p['thought'] === true) { sink.reasoning(role, turn, p, 'text', signed ? 'thoughtSignature' : undefined, at); return; }
    // Gemini 3 signs the first text part of an answer.
    if (signed) sink.signature('text', p, 'thoughtSignature', turn, at);
    sink.text(role === 'model' ? 'assistant' : 'user', role, turn, p, 'text', at);
    return;
  }
  skipped(sink, text, at, 'text');
  const callKey = keyOf(p, 'functionCall', 'function_call');
  const callValue = p[callKey];
  const call = asObject(callValue);
  if (call) {
    if (signed) sink.signature('tool_call', p, 'thoughtSignature', turn, at);
    sink.call(asString(call['id']), asString(call['name']) ?? '', role, turn, at, call, 'args', sink.paths ? [...at, callKey] : NO_PATH, 'value', p);
    return;
  }
  skipped(sink, callValue, at, callKey);
  const type = partType(p);
  // A part holding nothing but a signature closes the thinking before it; media and responses keep theirs.
  if (signed) sink.signature(type === undefined ? 'text' : 'part', p, 'thoughtSignature', turn, at);
  const responseKey = keyOf(p, 'functionResponse', 'function_response');
  const responseValue = p[responseKey];
  const response = asObject(responseValue);
  if (response) {
    const output = response['response'];
    // A Struct: its string leaves are read; a bare string or number there would be read by nobody.
    if (typeof output !== 'object') skipped(sink, output, sink.paths ? [...at, responseKey] : NO_PATH, 'response');
    sink.result(asString(response['id']), asString(response['name']), output, functionResponseIsError(output), role, turn, at, p, sink.paths ? [...at, responseKey, 'response'] : NO_PATH);
    return;
  }
  skipped(sink, responseValue, at, responseKey);
  if (type !== undefined) sink.other(type, role === 'model' ? 'assistant' : 'user', role, turn, p, at); // inlineData, fileData, executableCode…
}

/** What a part holds: its first key other than the thought flag and signature (none for a bare signature). */
function partType(p: JsonObject): string | undefined {
  for (const key in p) if (key !== 'thought' && key !== 'thoughtSignature') return key;
  return undefined;
}

/**
 * Tools answer `{output}` (Gemini CLI) or `{content}` by convention, `{error}` on failure (an error
 * beside an output too, as Gemini documents it); anything else is data.
 */
export function functionResponseIsError(output: JsonValue | undefined): boolean {
  return isObject(output) && output['error'] !== undefined && output['error'] !== null;
}

/**
 * The value a function response stands for: its `error` when it failed, the string of a lone
 * `output` or `content`, else the whole response (serialised by each reader as it needs).
 */
export function functionResponseValue(output: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(output)) return output;
  if (functionResponseIsError(output)) return output['error'];
  const keys = Object.keys(output);
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'content') && typeof output[keys[0]] === 'string') return output[keys[0]];
  return output;
}

export function walkGenerate(outer: JsonObject, sink: RequestSink): void {
  const { body, path: base, wrongKey } = generateBody(outer);
  if (wrongKey !== undefined) skipped(sink, outer[wrongKey], [], wrongKey);
  readGenerateSystem(body, sink, base);
  const list = body['contents'];
  if (!Array.isArray(list)) { skipped(sink, list, base, 'contents'); return; }
  const contents = list;
  for (let turn = 0; turn < contents.length; turn++) {
    const content = contents[turn];
    if (isObject(content)) readGenerateContent(content, turn, sink, base);
    else skipped(sink, content, [...base, 'contents'], turn);
  }
}

export function toolsGenerate(outer: JsonObject): string[] {
  return names(asArray(generateBody(outer).body['tools']).flatMap((t) => asArray(asObject(t)?.['functionDeclarations'])), (d) => d['name']);
}

/** Gemini: a text part on the last user turn, else a new user turn. */
export function noteGenerate(outer: JsonObject, text: string): void {
  const { body } = generateBody(outer);
  const contents = Array.isArray(body['contents']) ? body['contents'] : (body['contents'] = []);
  const last = contents[contents.length - 1];
  if (isObject(last) && (last['role'] ?? 'user') === 'user' && Array.isArray(last['parts'])) { last['parts'].push({ text }); return; }
  contents.push({ role: 'user', parts: [{ text }] });
}

/**
 * embedContent and each batch request: the content's text parts, then the document's `title`
 * (RETRIEVAL_DOCUMENT), which goes to the provider with them.
 */
export function walkEmbed(body: JsonObject, sink: RequestSink): void {
  const requests = body['requests'];
  if (Array.isArray(requests)) {
    for (let i = 0; i < requests.length; i++) {
      const request = asObject(requests[i]);
      if (request) embedRequest(request, i, ['requests', i], sink);
      else skipped(sink, requests[i], ['requests'], i);
    }
    return;
  }
  skipped(sink, requests, [], 'requests');
  embedRequest(body, 0, [], sink);
}

function embedRequest(request: JsonObject, turn: number, at: BodyPath, sink: RequestSink): void {
  const content = asObject(request['content']);
  if (content) embedParts(content, turn, [...at, 'content'], sink);
  else skipped(sink, request['content'], at, 'content');
  sink.text('user', 'user', turn, request, 'title', at);
}

function embedParts(content: JsonObject, turn: number, at: BodyPath, sink: RequestSink): void {
  const list = content['parts'];
  if (!Array.isArray(list)) { skipped(sink, list, at, 'parts'); return; }
  const parts = list;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isObject(p)) sink.text('user', 'user', turn, p, 'text', [...at, 'parts', i]);
    else skipped(sink, p, [...at, 'parts'], i);
  }
}
