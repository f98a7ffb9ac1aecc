// Where Gemini requests keep their text and tools: generateContent, countTokens, embedContent and
// batchEmbedContents.
import { asArray, asObject, asString, isObject } from '../json.js';
import type { JsonObject } from '../types.js';
import { names, type Collector } from './collector.js';

/** countTokens may wrap a whole generate request. */
function generateBody(body: JsonObject): { body: JsonObject; path: (string | number)[] } {
  const inner = asObject(body['generateContentRequest']);
  return inner ? { body: inner, path: ['generateContentRequest'] } : { body, path: [] };
}

function systemKey(body: JsonObject): string {
  return body['system_instruction'] !== undefined && body['systemInstruction'] === undefined ? 'system_instruction' : 'systemInstruction';
}

export function walkGenerate(outer: JsonObject, c: Collector): void {
  const { body, path: base } = generateBody(outer);
  const sysKey = systemKey(body);
  const system = asObject(body[sysKey]);
  if (system) c.content('system', 'system', -1, system, 'parts', [...base, sysKey]);
  else c.text('system', 'system', -1, body, sysKey, base);
  const contents = asArray(body['contents']);
  for (let turn = 0; turn < contents.length; turn++) {
    const content = contents[turn];
    if (!isObject(content)) continue;
    const role = asString(content['role']) ?? 'user';
    const parts = asArray(content['parts']);
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (!isObject(p)) continue;
      const at = [...base, 'contents', turn, 'parts', i];
      if (typeof p['thoughtSignature'] === 'string') {
        const thought = p['thought'] === true;
        c.signature(thought ? 'reasoning' : p['functionCall'] !== undefined ? 'tool_call' : 'text', p, 'thoughtSignature', thought ? p['text'] : undefined, turn, at);
      }
      if (typeof p['text'] === 'string') {
        c.text(p['thought'] === true ? 'reasoning' : role === 'model' ? 'assistant' : 'user', role, turn, p, 'text', at);
        continue;
      }
      const call = asObject(p['functionCall']);
      if (call) {
        c.call(asString(call['id']), asString(call['name']) ?? '', call['args'] ?? {}, turn, at);
        c.leaves('tool_arguments', role, turn, call, 'args', [...at, 'functionCall']);
        continue;
      }
      const response = asObject(p['functionResponse']);
      if (response) {
        const output = response['response'];
        const isError = isObject(output) && output['error'] !== undefined && output['output'] === undefined;
        c.result(asString(response['id']), asString(response['name']), output, isError, turn, at);
        c.leaves('tool_result', role, turn, response, 'response', [...at, 'functionResponse']);
      }
    }
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

export function walkEmbed(body: JsonObject, c: Collector): void {
  const requests = body['requests'];
  if (Array.isArray(requests)) {
    for (let i = 0; i < requests.length; i++) {
      const content = asObject(asObject(requests[i])?.['content']);
      if (content) c.content('user', 'user', i, content, 'parts', ['requests', i, 'content']);
    }
    return;
  }
  const content = asObject(body['content']);
  if (content) c.content('user', 'user', 0, content, 'parts', ['content']);
}
