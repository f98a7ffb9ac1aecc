// The protocol view: one reading of every request, response and stream shape, so plugins (firewall,
// loop detector, limits, ledger) work on text, tool calls and results without learning four wire
// formats. Public API: exported from core/index.ts.
import type { JsonObject, JsonValue, Protocol } from '../types.js';

/** What a piece of text is, whatever the protocol calls it. */
export type SegmentKind =
  | 'system'          // system prompts, instructions, developer messages
  | 'user'            // what the user wrote (also embeddings input)
  | 'assistant'       // what the model answered earlier (requests) or now (responses)
  | 'tool_arguments'  // a string inside a tool call's arguments
  | 'tool_result'     // text a tool returned
  | 'reasoning';      // thinking / reasoning text carried in the conversation

/** A key path into the body, e.g. ['messages', 3, 'content', 0, 'text']. */
export type BodyPath = readonly (string | number)[];

export interface Segment {
  readonly kind: SegmentKind;
  /** The role as the wire names it: system, developer, user, assistant, tool, model, function. */
  readonly role: string;
  /** Position of the turn in the conversation (-1 for top-level instructions and system prompts). */
  readonly turn: number;
  /** Where the text sits. Inside tool arguments the path continues into the arguments' JSON. */
  readonly path: BodyPath;
  /** The current text. */
  readonly text: string;
  /** Rewrites the text in place; the request is then re-serialised instead of sent as received. */
  set(text: string): void;
}

export interface ToolCallInfo {
  /** The call id where the protocol has one (Gemini often has none). */
  readonly id: string | undefined;
  readonly name: string;
  /** Arguments as canonical JSON (sorted keys, no whitespace); the raw text when it is not JSON. */
  readonly arguments: string;
  readonly turn: number;
  readonly path: BodyPath;
}

export interface ToolResultInfo {
  /** The id of the call it answers, where the protocol says. */
  readonly callId: string | undefined;
  /** The tool's name, where the protocol says (Gemini does; others only through the call id). */
  readonly name: string | undefined;
  /** The result's text: its text parts joined, or canonical JSON for structured results. */
  readonly text: string;
  /**
   * What `text` leaves out of a list that has text parts: canonical JSON of its other parts
   * (images, documents), '' when there are none. A screenshot tool answers the same caption with a
   * new image each time; only this tells two such results apart.
   */
  readonly attachments?: string;
  readonly isError: boolean;
  readonly turn: number;
  readonly path: BodyPath;
}

/**
 * A signature the client carries back: reasoning signatures (Anthropic thinking `signature`,
 * Responses `encrypted_content`, Gemini `thoughtSignature`, Chat `reasoning_details`) are valid
 * only at the provider that issued them, so gateways and verifiers need to find them.
 */
export interface SignatureInfo {
  /** What it signs: reasoning, a tool call (Gemini signs calls), or a text part (Gemini too). */
  readonly signs: 'reasoning' | 'tool_call' | 'text';
  /** The signature; undefined on reasoning that carries none (an Anthropic thinking block may not). */
  readonly value: string | undefined;
  /** The entry's field that holds it: signature, encrypted_content, thoughtSignature or data. */
  readonly field: string;
  /** The reasoning text it covers ('' for calls and text parts). */
  readonly text: string;
  /** The entry's own id where it has one (Responses reasoning items). */
  readonly id: string | undefined;
  readonly turn: number;
  /** The entry holding it (block, item, part or detail): without it, its reasoning is gone too. */
  readonly path: BodyPath;
}

/**
 * A field where the protocol keeps content (messages, a content list, a part, a text) holding a type
 * the protocol does not allow there — `"messages": "…"`, a number for a text: the view could not
 * read it, so nothing in it is among the segments.
 */
export interface UnreadableField {
  /** Where it sits, e.g. ['messages'] or ['messages', 2, 'content']. */
  readonly path: BodyPath;
  /** What it holds (client data: measure it, never log it). */
  readonly value: JsonValue;
}

/** A tool call or its result, in conversation order. */
export type ToolEvent = ({ type: 'call' } & ToolCallInfo) | ({ type: 'result' } & ToolResultInfo);

export interface RequestView {
  readonly protocol: Protocol;
  /** Every text segment in conversation order. Images, ids and signatures are not text. */
  segments(): readonly Segment[];
  /**
   * Content-bearing fields the view skipped for their type, in body order: what segments() does not
   * cover although the provider may read it. Found by the walk segments() makes (no second walk;
   * empty for a well-formed body). Absent and null fields are not listed (nothing to read), nor
   * fields the protocol does not define.
   */
  unreadable(): readonly UnreadableField[];
  toolCalls(): readonly ToolCallInfo[];
  toolResults(): readonly ToolResultInfo[];
  /** Calls and results interleaved as the conversation has them. */
  toolEvents(): readonly ToolEvent[];
  /** Signatures carried back, in conversation order (read with the tool history). */
  signatures(): readonly SignatureInfo[];
  /** Names of the function tools the request offers the model (not hosted or server tools). */
  toolNames(): readonly string[];
  /**
   * Turns in which the user wrote text (those holding a segment of kind 'user'), ascending — read
   * with the tool history, without building segments: where a human stepped in.
   */
  userTextTurns(): readonly number[];
  /** Number of turns (messages, input items or contents). */
  turns(): number;
  /**
   * Adds a note for the model in the protocol's own form (a system/developer message, or a text
   * part on the user's last turn where the protocol allows no other place).
   */
  addNote(text: string): void;
  /**
   * Adds a system instruction where the protocol keeps the client's system prompt, after what the
   * client wrote: a system message after the leading system/developer ones (Chat), `instructions`
   * (Responses), `system` (Anthropic), `systemInstruction` (Gemini). Throws for embeddings.
   */
  addInstruction(text: string): void;
  /** True once a segment was rewritten or a note added. */
  readonly changed: boolean;
  /** The body (the same object the exchange holds). */
  readonly body: JsonObject;
}

export interface ResponseView {
  readonly protocol: Protocol;
  /** Text the model produced: assistant text, tool-call argument strings, reasoning. */
  segments(): readonly Segment[];
  toolCalls(): readonly ToolCallInfo[];
  readonly changed: boolean;
}

/** One stream of deltas: the message text, one tool call's arguments, or the reasoning. */
export interface Channel {
  readonly kind: 'text' | 'reasoning' | 'tool_arguments';
  /** `json` when the deltas are pieces of JSON text (tool arguments): insert strings JSON-escaped. */
  readonly format: 'text' | 'json';
  /** Unique within the stream, e.g. "0:text", "0:tool:1". */
  readonly key: string;
  /** Choice / candidate index. */
  readonly choice: number;
  /** Tool call index / content block index where the protocol has one. */
  readonly index: number;
  readonly toolName?: string;
  readonly callId?: string;
}

/**
 * Rewrites a response's deltas without knowing the protocol. `delta` returns what to emit now (return
 * less to hold text back); `end` returns what is still held, emitted before the channel closes.
 * `cut` is true when the stream failed instead (the upstream broke off or sent its error): the held
 * text then ends wherever the failure came, maybe inside a word or a value.
 */
export interface DeltaTransform {
  delta(channel: Channel, text: string): string;
  end(channel: Channel, cut?: boolean): string;
}
