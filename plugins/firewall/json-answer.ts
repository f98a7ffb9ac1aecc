// Whether the client asked for an answer in JSON (OpenAI JSON mode and structured outputs,
// Anthropic structured outputs, Gemini's `application/json` MIME type): the answer's text is then
// JSON text, and a value restored into it lands inside a JSON string, to be escaped as in tool
// arguments. Read from the client's request: the firewall sees the answer in the client's protocol.
import { isObject, type JsonObject, type JsonValue, type ProtocolName } from '../../core/index.js';

const obj = (v: JsonValue | undefined): JsonObject | undefined => (isObject(v) ? v : undefined);

const JSON_FORMATS = new Set<JsonValue | undefined>(['json_object', 'json_schema']);

export function asksForJson(protocol: ProtocolName, body: JsonObject): boolean {
  switch (protocol) {
    case 'openai.chat':
      return JSON_FORMATS.has(obj(body['response_format'])?.['type']);
    case 'openai.responses':
      return JSON_FORMATS.has(obj(obj(body['text'])?.['format'])?.['type']);
    case 'anthropic.messages':
      // `output_format` is the structured-outputs beta's spelling, still accepted.
      return (obj(obj(body['output_config'])?.['format']) ?? obj(body['output_format']))?.['type'] === 'json_schema';
    case 'gemini.generate': {
      // Either spelling, as Google's own examples write it.
      const config = obj(body['generationConfig'] ?? body['generation_config']);
      const mime = config?.['responseMimeType'] ?? config?.['response_mime_type'];
      return typeof mime === 'string' && mime.toLowerCase() === 'application/json';
    }
    default:
      return false;
  }
}
