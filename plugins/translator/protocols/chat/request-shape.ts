// What the Chat request decoder (decode-request.ts, message-reader.ts, core's readChatMessage)
// reads of each kind of object. Every other key is a dropped field, reported by its path
// (dropped-fields.ts); keep this in step with the decoder — the shape tests check each key here is read.
import { asString, type JsonObject } from '../../../../core/index.js';
import { compileShape, type ShapeSpec } from '../../dropped-fields.js';

const byType = (o: JsonObject): string | undefined => asString(o['type']);

/** Text content: a string, or text and refusal parts (both read as text). */
const TEXT_PARTS: ShapeSpec = {
  keys: { type: true },
  variant: byType,
  variants: { text: { keys: { text: true } }, refusal: { keys: { refusal: true } } },
  othersDropped: true, // input_audio, file; images outside user and tool messages
};

/** User and tool content: text and images. */
const MEDIA_PARTS: ShapeSpec = {
  ...TEXT_PARTS,
  variants: { ...TEXT_PARTS.variants, image_url: { keys: { image_url: { keys: { url: true, detail: true } } } } },
};

/** User content: text, images and PDFs (`file` with `file_data`; a `file_id` is OpenAI's Files API). */
const USER_PARTS: ShapeSpec = {
  ...MEDIA_PARTS,
  variants: { ...MEDIA_PARTS.variants, file: { keys: { file: { keys: { file_data: true, filename: true } } } } },
};

const REASONING_DETAILS: ShapeSpec = {
  // `index` only orders the entries, which their order in the list already does.
  keys: { type: true, index: 'consumed' },
  variant: byType,
  variants: {
    'reasoning.text': { keys: { text: true, summary: true, signature: true } },
    'reasoning.summary': { keys: { text: true, summary: true, signature: true } },
    'reasoning.encrypted': { keys: { data: true } },
  },
  othersDropped: true,
};

const TOOL_CALLS: ShapeSpec = {
  // `index` is left in by clients that rebuilt the message from a stream: the list's order is the calls'.
  keys: { id: true, type: true, index: 'consumed', extra_content: { keys: { google: { keys: { thought_signature: true } } } } },
  variant: (c) => (c['type'] === 'custom' || (c['function'] === undefined && c['custom'] !== undefined) ? 'custom' : 'function'),
  variants: {
    function: { keys: { function: { keys: { name: true, arguments: true } } } },
    custom: { keys: { custom: { keys: { name: true, input: true } } } },
  },
};

const MESSAGE: ShapeSpec = {
  keys: { role: true },
  variant: (m) => asString(m['role']),
  variants: {
    system: { keys: { content: TEXT_PARTS } },
    developer: { keys: { content: TEXT_PARTS } },
    user: { keys: { content: USER_PARTS } },
    assistant: {
      keys: {
        content: TEXT_PARTS, refusal: true, reasoning_content: true, reasoning: true, reasoning_details: REASONING_DETAILS,
        tool_calls: TOOL_CALLS, function_call: { keys: { name: true, arguments: true } },
      },
    },
    tool: { keys: { tool_call_id: true, content: MEDIA_PARTS } },
    function: { keys: { name: true, content: TEXT_PARTS } },
  },
};

const FUNCTION: ShapeSpec = { keys: { name: true, description: true, parameters: true, strict: true } };

const TOOL_CHOICE: ShapeSpec = {
  keys: { type: true },
  variant: (c) => asString(c['type']) ?? 'legacy',
  variants: {
    function: { keys: { function: { keys: { name: true } } } },
    custom: { keys: { custom: { keys: { name: true } } } },
    legacy: { keys: { name: true } }, // function_call: {name}
  },
  othersDropped: true, // allowed_tools
};

export const CHAT_REQUEST_SHAPE = compileShape({
  keys: {
    // Ingress reads model and stream; the translator reads stream_options.include_usage on the way
    // back (Sluice asks every upstream for usage itself).
    model: 'consumed', stream: 'consumed', stream_options: { keys: { include_usage: 'consumed' } },
    messages: MESSAGE, n: true,
    tools: {
      keys: { type: true },
      variant: byType,
      variants: {
        function: { keys: { function: FUNCTION } },
        custom: { keys: { custom: { keys: { name: true, description: true, format: true } } } },
      },
      othersDropped: true,
    },
    functions: FUNCTION,
    tool_choice: TOOL_CHOICE, function_call: TOOL_CHOICE,
    parallel_tool_calls: true, max_completion_tokens: true, max_tokens: true, stop: true, temperature: true,
    top_p: true, verbosity: true, seed: true, presence_penalty: true, frequency_penalty: true, reasoning_effort: true, user: true, safety_identifier: true,
    response_format: { keys: { type: true, json_schema: { keys: { name: true, schema: true, strict: true } } } },
  },
});
