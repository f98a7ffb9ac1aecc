// The translator's intermediate representation (IR): one neutral shape every protocol codec
// decodes into and encodes from, so N protocols need N codecs instead of N² pairwise translators.
// It carries everything at least two protocols can express; what it cannot carry is named in
// `dropped` (request side) so nothing is lost by accident (see docs/translation.md).
import type { ApiFamily, JsonObject, Usage } from '../../core/index.js';

/** Anthropic `cache_control` and similar per-block hints, kept only where the target has them. */
export type CacheHint = JsonObject;

export interface IrText { type: 'text'; text: string; cache?: CacheHint }
export interface IrImage {
  type: 'image';
  source: { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };
  /** OpenAI image `detail`. */
  detail?: string;
}
/**
 * A PDF, which every provider reads natively in its own shape (Anthropic `document`, Chat `file`,
 * Responses `input_file`, Gemini `inlineData` / `fileData`). User content only.
 */
export interface IrDocument {
  type: 'document';
  source: { kind: 'url'; url: string } | { kind: 'base64'; data: string };
  /** Chat / Responses `filename`, Anthropic `title`. */
  filename?: string;
}
/** Model reasoning. `signature` is opaque provider state (Anthropic signature, Responses encrypted_content, Gemini thoughtSignature). */
export interface IrThinking { type: 'thinking'; text: string; signature?: string; signatureOrigin?: ApiFamily }
/** Reasoning the provider returned encrypted only (Anthropic redacted_thinking). */
export interface IrRedactedThinking { type: 'redacted_thinking'; data: string }
export interface IrToolCall {
  type: 'tool_call';
  id: string;
  name: string;
  /** Arguments as JSON text, exactly as the model produced them (for freeform tools: `{"input": "..."}`). */
  arguments: string;
  /** Gemini thoughtSignature on a functionCall part (needed verbatim on the next turn). */
  signature?: string;
  /** Which family issued `signature` (signatures.ts); only that family is sent it. */
  signatureOrigin?: ApiFamily;
}
/** What a tool result holds: text, images and PDFs (a file a tool read). */
export type IrResultContent = IrText | IrImage | IrDocument;
export interface IrToolResult {
  type: 'tool_result';
  callId: string;
  /** Function name where known (Gemini needs it; decoders fill it from the matching call). */
  name?: string;
  content: IrResultContent[];
  isError: boolean;
}
export type IrPart = IrText | IrImage | IrDocument | IrThinking | IrRedactedThinking | IrToolCall | IrToolResult;

export interface IrMessage {
  /** `system` may appear mid-conversation (Claude Code sends one; Chat allows it anywhere). */
  role: 'system' | 'user' | 'assistant';
  parts: IrPart[];
}

export interface IrTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonObject;
  strict?: boolean;
  /**
   * Responses `custom` tools take free text instead of JSON. Other protocols see a function with a
   * single string parameter `input`; the Responses encoder turns such calls back into custom calls.
   */
  freeform?: { format?: JsonObject };
  /**
   * A tool a Responses client grouped in a `namespace` tool (Codex's sub-agent tools, MCP
   * servers). Other protocols have no namespaces, so the IR name is the flat `<namespace>__<tool>`
   * (unique across namespaces); the Responses encoder answers with `name` and `namespace` apart.
   */
  namespace?: { name: string; tool: string };
  cache?: CacheHint;
}

export type IrToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type IrEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export interface IrReasoning {
  /** false = the client explicitly turned reasoning off. */
  enabled: boolean;
  effort?: IrEffort;
  /** Anthropic `budget_tokens`, Gemini `thinkingBudget`. */
  budgetTokens?: number;
  /** Whether the client wants reasoning text back (Gemini includeThoughts, Responses summary). */
  includeThoughts?: boolean;
}

export interface IrResponseFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  schema?: JsonObject;
  strict?: boolean;
}

export interface IrRequest {
  /** The model name the upstream will see (set by the translator from the router's target). */
  model: string;
  /** Top-level system prompt (Anthropic `system`, Responses `instructions`, Gemini systemInstruction, leading Chat system/developer messages). */
  system: IrText[];
  messages: IrMessage[];
  tools: IrTool[];
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Chat `seed`, Gemini `seed`: best-effort deterministic sampling. */
  seed?: number;
  /** Chat `presence_penalty` / `frequency_penalty`, Gemini `presencePenalty` / `frequencyPenalty` (0 = none). */
  presencePenalty?: number;
  frequencyPenalty?: number;
  stop: string[];
  stream: boolean;
  reasoning?: IrReasoning;
  responseFormat?: IrResponseFormat;
  /** OpenAI's answer length: Chat `verbosity`, Responses `text.verbosity` (low, medium, high). */
  verbosity?: string;
  /** End-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Request fields the source carried that no IR field holds: dropped on purpose, logged by name. */
  dropped: string[];
}

export type IrStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'content_filter' | 'refusal' | 'pause';

export interface IrResponse {
  id: string;
  model: string;
  /** text, thinking, redacted_thinking and tool_call parts in output order. */
  parts: IrPart[];
  stopReason: IrStopReason;
  stopSequence?: string;
  usage: Usage;
}

/**
 * A streamed answer, as a flat sequence. Decoders assign tool-call `index` 0, 1, 2… in the order the
 * calls start; deltas of different calls may interleave. `usage` may come several times: each one
 * is merged over the last (later non-zero values win). Encoders must emit their terminal events
 * only when the IR stream ends (usage often arrives after `finish`). Upstream failures are thrown
 * by the iterator, never sent as events: egress renders them in the client's in-stream format.
 */
export type IrStreamEvent =
  | { type: 'start'; id?: string; model?: string }
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; text: string }
  | { type: 'thinking_signature'; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string; signature?: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; stopReason: IrStopReason; stopSequence?: string };
