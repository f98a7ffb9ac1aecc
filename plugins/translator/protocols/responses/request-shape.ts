// What the Responses request decoder (request-decode.ts, item-reader.ts, core's readResponsesItem)
// reads of each kind of object. Every other key is a dropped field, reported by its path
// (dropped-fields.ts); keep this in step with the decoder — the shape tests check each key here is read.
import { asString, responsesItemType, type JsonObject } from '../../../../core/index.js';
import { compileShape, type ShapeSpec } from '../../dropped-fields.js';
import { PDF } from '../../documents.js';

const TEXT = { keys: { text: true } } as const;
const TEXT_VARIANTS = { input_text: TEXT, output_text: TEXT, text: TEXT, refusal: { keys: { refusal: true } } } as const;

/** Message content and tool output: a string, or text parts and images given by URL. */
const CONTENT: ShapeSpec = {
  keys: { type: true },
  // An image given only by file_id lives in OpenAI's file store: no other provider can read it.
  variant: (p) => (p['type'] === 'input_image' && typeof p['image_url'] !== 'string' ? 'input_image without image_url' : asString(p['type'])),
  variants: { ...TEXT_VARIANTS, input_image: { keys: { image_url: true, detail: true } } },
  othersDropped: true, // input_file, input_audio
};

/**
 * A message's content also takes PDFs (`input_file` with `file_data` or `file_url`); a file given
 * only by `file_id` (OpenAI's file store) or a `file_data` other than a PDF reaches no other
 * provider and is reported whole.
 */
const MESSAGE_CONTENT: ShapeSpec = {
  ...CONTENT,
  variant: (p) => (p['type'] === 'input_file' ? inputFileVariant(p) : CONTENT.variant!(p)),
  variants: { ...CONTENT.variants, input_file: { keys: { file_data: true, file_url: true, filename: true } } },
};

function inputFileVariant(p: JsonObject): string {
  const data = asString(p['file_data']);
  if (data !== undefined) return data.startsWith(`data:${PDF}`) ? 'input_file' : 'input_file (not a PDF)';
  return typeof p['file_url'] === 'string' ? 'input_file' : 'input_file without file_data';
}

/** A developer or system message keeps its text only. */
const SYSTEM_CONTENT: ShapeSpec = { ...CONTENT, variants: TEXT_VARIANTS };

/**
 * `id` and `status` of items a client replays from an earlier response are OpenAI's record of its
 * own output: meaningless to another provider, read and set aside rather than reported each turn.
 */
const REPLAYED = { id: 'consumed', status: 'consumed' } as const;
const REASONING_PARTS: ShapeSpec = { keys: { type: 'consumed', text: true } };
const CALL_OUTPUT: ShapeSpec = { keys: { call_id: true, output: MESSAGE_CONTENT } };

const NAMED: ShapeSpec = { keys: { name: true } };
/** The tools a client defines itself (hosted ones are dropped), at the top level and in a namespace. */
const CLIENT_TOOLS = {
  keys: { type: true },
  variant: (t: JsonObject) => asString(t['type']),
  variants: {
    function: { keys: { name: true, description: true, parameters: true, strict: true } },
    custom: { keys: { name: true, description: true, format: true } },
  },
  othersDropped: true,
} satisfies ShapeSpec;

/** A tool list: `tools`, and an `additional_tools` input item's. */
const TOOLS: ShapeSpec = {
  keys: { type: true },
  variant: (t) => asString(t['type']),
  // A namespace holds function and custom tools (request-decode.ts flattens it).
  variants: { ...CLIENT_TOOLS.variants, namespace: { keys: { name: true, description: true, tools: CLIENT_TOOLS } } },
  othersDropped: true, // hosted tools: web_search, file_search, local_shell, mcp…
};

const ITEM: ShapeSpec = {
  keys: { type: true, ...REPLAYED },
  variant: (item: JsonObject) => {
    const type = responsesItemType(item);
    const role = item['role'];
    return type === 'message' && (role === 'developer' || role === 'system') ? 'system message' : type;
  },
  variants: {
    message: { keys: { role: true, content: MESSAGE_CONTENT } },
    'system message': { keys: { role: true, content: SYSTEM_CONTENT } },
    function_call: { keys: { call_id: true, name: true, namespace: true, arguments: true } },
    custom_tool_call: { keys: { call_id: true, name: true, namespace: true, input: true } },
    // Codex's newest models declare their tools here instead of in `tools` (request-decode.ts reads both).
    additional_tools: { keys: { role: 'consumed', tools: TOOLS } },
    function_call_output: CALL_OUTPUT,
    custom_tool_call_output: CALL_OUTPUT,
    reasoning: {
      // Every part's text is taken, whatever its type (summary_text, reasoning_text).
      keys: { summary: REASONING_PARTS, content: REASONING_PARTS, encrypted_content: true },
    },
  },
  othersDropped: true, // item_reference, local_shell_call, web_search_call, mcp_*, compaction…: server-side or hosted
};

export const RESPONSES_REQUEST_SHAPE = compileShape({
  keys: {
    model: 'consumed', stream: 'consumed', // read by ingress
    instructions: true, input: ITEM, parallel_tool_calls: true, max_output_tokens: true,
    temperature: true, top_p: true, user: true, safety_identifier: true,
    // Refused unless null (request-decode.ts).
    previous_response_id: true, conversation: true,
    tools: TOOLS,
    tool_choice: { keys: { type: true }, variant: (c) => asString(c['type']), variants: { function: NAMED, custom: NAMED }, othersDropped: true },
    reasoning: { keys: { effort: true, summary: true, generate_summary: true } },
    text: { keys: { format: { keys: { type: true, name: true, schema: true, strict: true } }, verbosity: true } },
  },
});
