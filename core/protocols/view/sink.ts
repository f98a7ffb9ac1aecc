// What the per-protocol request readers (request-*.ts) report, in conversation order. They are the
// one place that knows where each wire format keeps text, reasoning, tool calls and results; the
// view's collector and the translator's decoders are two sinks over them. A sink that needs more
// than this (images, cache hints, ids' own conventions) reads it from the entry it is handed.
import type { JsonObject, JsonValue } from '../types.js';
import type { BodyPath, SegmentKind } from './types.js';

/** An object or array holding a value at a key or an index. */
export type Container = JsonObject | JsonValue[];

/** How a call holds its arguments: JSON text (OpenAI), a JSON value (Anthropic, Gemini), or free text (custom tools). */
export type ArgumentsForm = 'json_text' | 'value' | 'free_text';

/** Handed instead of a path to a sink that reads none: building each would cost the translator for nothing. */
export const NO_PATH: BodyPath = Object.freeze([]) as BodyPath;

export interface RequestSink {
  /** Whether the sink reads the paths (`at`): readers hand NO_PATH to one that does not. */
  readonly paths: boolean;
  /**
   * False for a sink that reads, of all text, only the user's (the view's tool history, on every
   * request): readers then skip the content of other turns and of tool results.
   */
  readonly allText: boolean;
  /** Text at owner[key] (a string in a well-formed body; a sink checks). `at` is the owner's path. */
  text(kind: SegmentKind, role: string, turn: number, owner: Container, key: string | number, at: BodyPath): void;
  /**
   * Reasoning carried back: its text at owner[textKey] (a string, or a list of parts with `text`;
   * several keys are several lists), its signature at owner[field] where the protocol has one.
   */
  reasoning(role: string, turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined, at: BodyPath): void;
  /** Reasoning the provider returned encrypted only: the opaque data at owner[field]. */
  redacted(role: string, turn: number, owner: JsonObject, field: string, at: BodyPath): void;
  /**
   * A signature over something that is not reasoning (Gemini): a tool call, a text part (or a part
   * holding nothing else), or another part (media, a function response).
   */
  signature(signs: 'tool_call' | 'text' | 'part', owner: JsonObject, field: string, turn: number, at: BodyPath): void;
  /**
   * A tool call at `at`: its arguments at owner[key] (owner sits at ownerAt) in `form`. `entry` is
   * the wire object of the call itself (a tool_calls entry, an item, a block, a part).
   */
  call(id: string | undefined, name: string, role: string, turn: number, at: BodyPath, owner: JsonObject, key: string, ownerAt: BodyPath, form: ArgumentsForm, entry: JsonObject): void;
  /**
   * A tool result at `at`. Its content follows as `text` (kind tool_result) and `other` events,
   * except where it is one structured value, held at `structuredAt` (Gemini's functionResponse.response).
   */
  result(callId: string | undefined, name: string | undefined, output: JsonValue | undefined, isError: boolean, role: string, turn: number, at: BodyPath, entry: JsonObject, structuredAt?: BodyPath): void;
  /**
   * An entry the shared reading leaves to each sink (images, documents, audio, hosted tools…), by
   * its wire type; `kind` is what text beside it would be (tool_result inside a tool result).
   */
  other(type: string, kind: SegmentKind, role: string, turn: number, entry: JsonObject, at: BodyPath): void;
  /**
   * owner[key], at `at`, is a field where the protocol keeps content (messages, a content list, a
   * part, a text) and holds a type the protocol does not allow there — a string where a list
   * belongs, a number for a text: the reader skipped it, so nothing in it reached the sink. Called
   * only on those branches (a well-formed body never pays for it), never for an absent or null field
   * (nothing to read). `value` is what it holds. Optional: a sink that only decodes (the translator's) has no use for it.
   */
  unreadable?(value: JsonValue, at: BodyPath, key: string | number): void;
}

/** Tells the sink owner[key] was skipped for its type, unless it holds nothing (absent or null). Call it on wrong-type branches only. */
export function skipped(sink: RequestSink, value: JsonValue | undefined, at: BodyPath, key: string | number): void {
  if (value !== undefined && value !== null) sink.unreadable?.(value, at, key);
}
