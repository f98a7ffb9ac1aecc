// Wire-level vocabulary shared by ingress, egress, providers and every plugin.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Which SDK family a request or response speaks: decides the error envelope and stream framing. */
export type ApiFamily = 'openai' | 'anthropic' | 'gemini';

/** What the client asked for, independent of the URL it used. */
export type Operation =
  | 'chat'            // OpenAI Chat Completions
  | 'responses'       // OpenAI Responses
  | 'embeddings'      // OpenAI embeddings
  | 'models'          // model listing (any family)
  | 'messages'        // Anthropic Messages
  | 'count_tokens'    // Anthropic / Gemini token count
  | 'generate'        // Gemini generateContent / streamGenerateContent
  | 'embed';          // Gemini embedContent

/** A protocol is a family plus an operation: "openai.chat", "anthropic.messages", … */
export interface Protocol {
  readonly family: ApiFamily;
  readonly operation: Operation;
}

/**
 * Every name, made once: several look-ups per request (the router's and translator's checks, codec
 * maps) then take a constant string instead of building (and hashing) a new one each time.
 */
const FAMILIES: readonly ApiFamily[] = ['openai', 'anthropic', 'gemini'];
const OPERATIONS: readonly Operation[] = ['chat', 'responses', 'embeddings', 'models', 'messages', 'count_tokens', 'generate', 'embed'];
const NAMES = new Map(FAMILIES.map((family) =>
  [family as string, new Map(OPERATIONS.map((operation) => [operation as string, `${family}.${operation}` as ProtocolName]))]));

export function protocolName(p: Protocol): ProtocolName {
  return NAMES.get(p.family)?.get(p.operation) ?? `${p.family}.${p.operation}` as ProtocolName;
}

/** A protocol by name, e.g. "anthropic.messages". */
export type ProtocolName = `${ApiFamily}.${Operation}`;

/** Operations that can stand in for each other through translation. */
export type OperationClass = 'generate' | 'count' | 'embed' | 'models';

export function operationClass(op: Operation): OperationClass {
  switch (op) {
    case 'chat': case 'responses': case 'messages': case 'generate': return 'generate';
    case 'count_tokens': return 'count';
    case 'embeddings': case 'embed': return 'embed';
    case 'models': return 'models';
  }
}

export function parseProtocolName(name: ProtocolName): Protocol {
  const dot = name.indexOf('.');
  return { family: name.slice(0, dot) as ApiFamily, operation: name.slice(dot + 1) as Operation };
}

/** One server-sent event. `data` is parsed JSON where the payload is JSON, else the raw string. */
export interface StreamEvent {
  event?: string;
  data: JsonValue;
  id?: string;
}

/** Token usage by class. OpenAI-style input counts include cached reads; we keep them separate. */
export interface Usage {
  /** Input tokens not served from cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /**
   * Of `cacheWriteTokens`, those written to a one-hour cache (Anthropic's
   * `cache_creation.ephemeral_1h_input_tokens`): priced apart (2 × input, against 1.25 × for the
   * five-minute writes). Absent when there are none.
   */
  cacheWrite1hTokens?: number;
  reasoningTokens: number;
  /** True when no usage was reported upstream and Sluice estimated it. */
  estimated: boolean;
  /**
   * The service tier the provider says served the request (OpenAI's `service_tier`: default, flex,
   * priority, scale; Anthropic's `usage.service_tier`: standard, priority, batch, with `fast` (its
   * `usage.speed`) and `us` (its `usage.inference_geo`) joined on: `fast+us`), which its price
   * depends on. Absent when the answer names none.
   */
  serviceTier?: string;
  /** Billed per call, apart from tokens (usage-fees.ts): web searches (Anthropic's server tool, Responses' web_search_call items, Gemini's grounding queries). Absent when none. */
  webSearchCalls?: number;
  /** Anthropic's web fetches (`server_tool_use.web_fetch_requests`). Absent when none. */
  webFetchCalls?: number;
  /**
   * The model the provider's answer says served it (OpenAI's `model`, Anthropic's `message.model`,
   * Gemini's `modelVersion`), read beside its usage: a snapshot of the model asked for, or another
   * model altogether (a downgrade the request did not choose). Absent when the answer names none.
   */
  answeredModel?: string;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false };
}
