// A plugin's own answer to a request: a final assistant message that core renders in the client's
// protocol (JSON, or a stream when the client asked for one) without calling any upstream.
import type { JsonObject, Usage } from '../protocols/types.js';

export interface ReplyToolCall {
  /** Generated when absent. */
  id?: string;
  name: string;
  arguments: JsonObject;
}

export interface Reply {
  /** The assistant's text (shown to the user by agents such as Claude Code and Codex). */
  text?: string;
  toolCalls?: ReplyToolCall[];
  /** Why the turn ended; defaults to `tool_use` with tool calls, else `end_turn`. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal';
  /** Usage to report; unset classes are 0 (a reply that called no model used no tokens). */
  usage?: Partial<Omit<Usage, 'estimated'>>;
  /** How the request is recorded: `blocked` for a policy answer (loop detector, firewall), else `success`. */
  outcome?: 'success' | 'blocked';
  /** Extra response headers. */
  headers?: Record<string, string>;
}
