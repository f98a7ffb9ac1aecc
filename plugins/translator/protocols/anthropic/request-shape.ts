// What the Anthropic request decoder (request-decode.ts, block-reader.ts, core's readMessagesTurn)
// reads of each kind of object. Every other key is a dropped field, reported by its path
// (dropped-fields.ts); keep this in step with the decoder — the shape tests check each key here is read.
import { asString, type JsonObject } from '../../../../core/index.js';
import { compileShape, type ShapeSpec } from '../../dropped-fields.js';

const byType = (o: JsonObject): string | undefined => asString(o['type']);

/** Image sources other services can read: `file` points into Anthropic's Files API. */
const IMAGE: ShapeSpec = {
  keys: {
    source: {
      keys: { type: true },
      variant: byType,
      variants: { base64: { keys: { media_type: true, data: true } }, url: { keys: { url: true } } },
      othersDropped: true,
    },
  },
};

const TEXT: ShapeSpec = { keys: { text: true, cache_control: true } };

/** Text document sources: their text travels, as text (block-reader.ts). */
const TEXT_SOURCES: Record<string, ShapeSpec> = {
  text: { keys: { media_type: true, data: true } },
  content: { keys: { content: true } },
};

/**
 * Documents, in a message or a tool result: text ones as above (their title and context head the
 * text), and PDFs (base64 or url source, the title as their filename, the context as a text before
 * them); a `file` source points into Anthropic's Files API and is reported as `…source(file)`.
 */
const DOCUMENT: ShapeSpec = {
  keys: { title: true, context: true, source: { keys: { type: true }, variant: byType, variants: { ...TEXT_SOURCES, base64: { keys: { media_type: true, data: true } }, url: { keys: { url: true } } }, othersDropped: true } },
};

const TOOL_RESULT_CONTENT: ShapeSpec = {
  keys: { type: true },
  variant: byType,
  variants: { text: TEXT, image: IMAGE, document: DOCUMENT },
  othersDropped: true,
};

/** Content blocks: search results and server-tool blocks are dropped whole. */
const BLOCK: ShapeSpec = {
  keys: { type: true },
  variant: byType,
  variants: {
    text: TEXT,
    thinking: { keys: { thinking: true, signature: true } },
    redacted_thinking: { keys: { data: true } },
    tool_use: { keys: { id: true, name: true, input: true } },
    tool_result: { keys: { tool_use_id: true, content: TOOL_RESULT_CONTENT, is_error: true } },
    image: IMAGE,
    document: DOCUMENT,
  },
  othersDropped: true,
};

const FORMAT: ShapeSpec = { keys: { type: true, schema: true } };

export const ANTHROPIC_REQUEST_SHAPE = compileShape({
  keys: {
    model: 'consumed', stream: 'consumed', // read by ingress
    max_tokens: true, temperature: true, top_p: true, top_k: true, stop_sequences: true,
    system: { keys: { type: true }, variant: byType, variants: { text: TEXT }, othersDropped: true },
    // A system message's output_config carries only the effort (message-effort.ts); format is top-level only.
    messages: { keys: { role: true, content: BLOCK, output_config: { keys: { effort: true } } } },
    tools: {
      keys: { type: true },
      // Typed tools other than `custom` are server tools (web_search_20250305, bash_…).
      variant: (t) => asString(t['type']) ?? 'custom',
      variants: { custom: { keys: { name: true, description: true, input_schema: true, cache_control: true, strict: true } } },
      othersDropped: true,
    },
    tool_choice: { keys: { type: true, name: true, disable_parallel_tool_use: true } },
    thinking: { keys: { type: true, budget_tokens: true, display: true } },
    output_config: { keys: { effort: true, format: FORMAT } },
    output_format: FORMAT,
    metadata: { keys: { user_id: true } },
  },
});
