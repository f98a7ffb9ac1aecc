// What loopback says, decided once for every protocol. Each protocol file reduces its request to a
// ConversationView and renders the Answer in its own wire format; nothing here knows a wire shape.
import { estimateTokens, findToolMarkers, hasFlag, reasoningAbout, replyTo, shortHash, toolResultReply } from './text.js';
import type { JsonObject } from '../../protocols/types.js';
import { sampleJson } from './json-sample.js';
import { signThought, verifyThought } from './signature.js';

export interface ToolResult {
  /** Name of the tool call this result answers ("tool" when the history does not say). */
  name: string;
  text: string;
}

/** Reasoning a client carried back in its history, with the signature loopback gave it. */
export interface CarriedThought {
  text: string;
  signature: string;
  /** Where in the request it sits, for the error message (e.g. "messages.1.content.0"). */
  location: string;
}

/** The little loopback needs to know of a conversation, whatever protocol it came in. */
export interface ConversationView {
  /** Text of the last turn when it is not a tool result. */
  lastUserText: string;
  /** Results in the last turn, when the client is answering tool calls. */
  toolResults: ToolResult[];
  /** Function tools the request offers. */
  tools: string[];
  /** All text of the request: usage estimates stay the same for JSON, stream and count_tokens. */
  promptText: string;
  thoughts: CarriedThought[];
  /** The client asked for JSON output: a JSON Schema, or `true` for any JSON object. */
  jsonOutput?: JsonObject | true;
}

export interface ToolCall {
  /** Protocol-neutral id; renderers add their own prefix (call_, toolu_, …). */
  id: string;
  name: string;
  /** Arguments as compact JSON text. */
  arguments: string;
}

export interface Answer {
  reasoning: { text: string; signature: string } | undefined;
  /** Empty when the answer is tool calls. */
  text: string;
  toolCalls: ToolCall[];
  inputTokens: number;
  /** Visible output (text and tool calls); reasoning is counted apart. */
  outputTokens: number;
  reasoningTokens: number;
}

/**
 * The script: a `[[tool:NAME {json}]]` marker in the last turn becomes a tool call when tools are
 * offered — also inside a tool result, so an agent can be walked through several steps — a tool
 * result gets a reply, anything else an echo. `[[think]]` adds signed reasoning first and
 * `[[parallel]]` turns every marker into a call at once.
 */
export function decide(view: ConversationView): Answer {
  const answering = view.toolResults.length > 0;
  const trigger = answering ? view.toolResults.map((r) => r.text).join('\n') : view.lastUserText;
  const toolCalls = scriptedCalls(trigger, view);
  const text = toolCalls.length ? ''
    : view.jsonOutput ? JSON.stringify(sampleJson(view.jsonOutput === true ? undefined : view.jsonOutput))
    : answering ? view.toolResults.map((r) => toolResultReply(r.name, r.text)).join('\n')
    : replyTo(view.lastUserText);
  let reasoning: Answer['reasoning'];
  if (hasFlag(trigger, 'think')) {
    const plan = toolCalls.length ? `call ${toolCalls.map((c) => c.name).join(' and ')}` : 'answer in text';
    const thought = reasoningAbout(trigger, plan);
    reasoning = { text: thought, signature: signThought(thought) };
  }
  return {
    reasoning,
    text,
    toolCalls,
    inputTokens: estimateTokens(view.promptText),
    outputTokens: estimateTokens(text) + toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0),
    reasoningTokens: reasoning ? estimateTokens(reasoning.text) : 0,
  };
}

function scriptedCalls(trigger: string, view: ConversationView): ToolCall[] {
  if (view.tools.length === 0) return [];
  const markers = findToolMarkers(trigger);
  const wanted = hasFlag(trigger, 'parallel') ? markers : markers.slice(0, 1);
  return wanted.map((m, i) => {
    // An unknown name still gets a call, to the first tool offered: scripts survive tool renames.
    const name = m.name && view.tools.includes(m.name) ? m.name : view.tools[0]!;
    return { id: shortHash(`${view.promptText}\u0000${i}\u0000${name}`, 24), name, arguments: m.arguments };
  });
}

/** The first carried thought whose signature loopback did not give it, if any. */
export function forgedThought(view: ConversationView): CarriedThought | undefined {
  return view.thoughts.find((t) => !verifyThought(t.text, t.signature));
}

/**
 * The turns that decide the answer: trailing system/developer messages are instructions, not the
 * user's turn (Claude Code appends a `system` message after the user's).
 */
export function conversationTurns<T extends { [key: string]: unknown }>(messages: T[]): T[] {
  let end = messages.length;
  while (end > 0 && (messages[end - 1]!['role'] === 'system' || messages[end - 1]!['role'] === 'developer')) end--;
  return end === messages.length ? messages : messages.slice(0, end);
}
