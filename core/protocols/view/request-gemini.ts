// Where Gemini requests keep their text and tools: generateContent, countTokens, embedContent and
// batchEmbedContents. The readers here are shared: the view collects from them, the translator decodes
// through them (sink.ts).
import { asArray, asObject, asString, isObject } from '../json.js';
import type { JsonObject, JsonValue } from '../types.js';
import { names } from './collector.js';
import { NO_PATH, type RequestSink } from './sink.js';
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

/** countTokens may wrap a whole generate request. */
function generateBody(body: JsonObject): { body: JsonObject; path: (string | number)[] } {
  const key = keyOf(body, 'generateContentRequest', 'generate_content_request');
  const inner = asObject(body[key]);
  return inner ? { body: inner, path: [key] } : { body, path: [] };
}

function systemKey(body: JsonObject): string {
  return keyOf(body, 'systemInstruction', 'system_instruction');
}

/** `systemInstruction` (or `system_instruction`): a string or a content's text parts. */
export function readGenerateSystem(body: JsonObject, sink: RequestSink, base: BodyPath = []): void {
  const sysKey = systemKey(body);
  const system = asObject(body[sysKey]);
  if (!system) { sink.text('system', 'system', -1, body, sysKey, base); return; }
  const parts = asArray(system['parts']);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!isObject(p)) continue;
    const at = sink.paths ? [...base, sysKey, 'parts', i] : NO_PATH;
    if (typeof p['text'] === 'string') sink.text('system', 'system', -1, p, 'text', at);
    else sink.other(partType(p) ?? 'unknown', 'system', 'system', -1, p, at);
  }
}

/** One content (a turn): text, thoughts, function calls and responses, signatures; media left to the sink. */
export function readGenerateContent(content: JsonObject, turn: number, sink: RequestSink, base: BodyPath = []): void {
  const role = asString(content['role']) ?? 'user';
  const parts = asArray(content['parts']);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isObject(p)) readGeneratePart(p, role, turn, sink.paths ? [...base, 'contents', turn, 'parts', i] : NO_PATH, sink);
  }
}

/** One part of a content (also of a response candidate's content, part by part in a stream). */
export function readGeneratePart(p: JsonObject, role: string, turn: number, at: BodyPath, sink: RequestSink): void {
  const signed = typeof p['thoughtSignature'] === 'string';
  if (typeof p['text'] === 'string') {
    if (p['thought'] === true) { sink.reasoning(role, turn, p, 'text', signed ? 'thoughtSignature' : undefined, at); return; }
    // Gemini 3 signs the first text part of an answer.
    if (signed) sink.signature('text', p, 'thoughtSignature', turn, at);
    sink.text(role === 'model' ? 'assistant' : 'user', role, turn, p, 'text', at);
    return;
  }
  const callKey = keyOf(p, 'functionCall', 'function_call');
  const call = asObject(p[callKey]);
  if (call) {
    if (signed) sink.signature('tool_call', p, 'thoughtSignature', turn, at);
    sink.call(asString(call['id']), asString(call['name']) ?? '', role, turn, at, call, 'args', sink.paths ? [...at, callKey] : NO_PATH, 'value', p);
    return;
  }
  const type = partType(p);
  // A part holding nothing but a signature closes the thinking before it; media and responses keep theirs.
  if (signed) sink.signature(type === undefined ? 'text' : 'part', p, 'thoughtSignature', turn, at);
  const responseKey = keyOf(p, 'functionResponse', 'function_response');
  const response = asObject(p[responseKey]);
  if (response) {
    const output = response['response'];
    sink.result(asString(response['id']), asString(response['name']), output, functionResponseIsError(output), role, turn, at, p, sink.paths ? [...at, responseKey, 'response'] : NO_PATH);
    return;
  }
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
  const { body, path: base } = generateBody(outer);
  readGenerateSystem(body, sink, base);
  const contents = asArray(body['contents']);
  for (let turn = 0; turn < contents.length; turn++) {
    const content = contents[turn];
    if (isObject(content)) readGenerateContent(content, turn, sink, base);
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
    }
    return;
  }
  embedRequest(body, 0, [], sink);
}

function embedRequest(request: JsonObject, turn: number, at: BodyPath, sink: RequestSink): void {
  const content = asObject(request['content']);
  if (content) embedParts(content, turn, [...at, 'content'], sink);
  sink.text('user', 'user', turn, request, 'title', at);
}

function embedParts(content: JsonObject, turn: number, at: BodyPath, sink: RequestSink): void {
  const parts = asArray(content['parts']);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isObject(p)) sink.text('user', 'user', turn, p, 'text', [...at, 'parts', i]);
  }
}
