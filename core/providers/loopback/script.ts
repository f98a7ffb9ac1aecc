// What loopback says, decided once for every protocol. Each protocol file reduces its request to a
// ConversationView and renders the Answer in its own wire format; nothing here knows a wire shape.
import { estimateTokens, reasoningAbout, replyTo, shortHash, toolResultReply } from './text.js';
import { beyondBound, MAX_ANSWER_CHARS, MAX_TOOL_CALLS } from './bounds.js';
import { sampleAnswer, type JsonOutput } from './json-sample.js';
import { findLoopMarker, findToolMarkers, hasFlag, type ToolRequest } from './markers.js';
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
  /** Text of the last turn when it is not a tool result: where markers are looked for. */
  lastUserText: string;
  /**
   * What the echo quotes: the user's own words in that turn (userQuote in conversation.ts);
   * lastUserText when unset.
   */
  userText?: string;
  /** Results in the last turn, when the client is answering tool calls. */
  toolResults: ToolResult[];
  /** Tools the request offers by name: function tools, and on Responses freeform (custom) ones. */
  tools: string[];
  /** All text of the request: usage estimates stay the same for JSON, stream and count_tokens. */
  promptText: string;
  thoughts: CarriedThought[];
  /** The client asked for JSON output, with a schema or without (any JSON object). */
  jsonOutput?: JsonOutput | undefined;
  /** The request field holding the conversation ('messages', 'input', 'contents'), named in errors; 'messages' if unset. */
  promptParam?: string;
  /** The client's output limits, honoured as a real model would (see `limitText`). */
  limits?: OutputLimits;
}

export interface OutputLimits {
  /** Largest output in tokens (Anthropic `max_tokens`). */
  maxTokens?: number;
  /** Sequences that end the text where they first appear, left out of it (Anthropic `stop_sequences`). */
  stop?: readonly string[];
}

export interface ToolCall {
  /** Protocol-neutral id; renderers add their own prefix (call_, toolu_, …). */
  id: string;
  /** The exact id the client sees, when one was given (a plugin's reply names its own calls). */
  wireId?: string;
  name: string;
  /** Arguments as compact JSON text. */
  arguments: string;
}

/** The id a client sees for `call`: the one given, else the family's prefix and the neutral id. */
export function wireCallId(call: ToolCall, prefix: string): string {
  return call.wireId ?? `${prefix}${call.id}`;
}

/** Why a turn ended, in protocol-neutral words (each renderer says it in its own). */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'stop_sequence';

export interface Answer {
  reasoning: { text: string; signature: string } | undefined;
  /** Unset: `tool_use` when there are tool calls, else `end_turn`. */
  stopReason?: StopReason;
  /** With stopReason `stop_sequence`: the sequence that ended the text. */
  stopSequence?: string;
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
 * `[[parallel]]` turns every marker into a call at once. `[[tool-loop:NAME {json}]]` anywhere in the
 * conversation makes that call on every turn, never answering in text: an agent stuck in a loop,
 * for the loop detector to meet.
 */
export function decide(view: ConversationView): Answer {
  const answering = view.toolResults.length > 0;
  const trigger = answering ? view.toolResults.map((r) => r.text).join('\n') : view.lastUserText;
  const toolCalls = scriptedCalls(trigger, view);
  const full = toolCalls.length ? ''
    : view.jsonOutput ? sampleAnswer(view.jsonOutput)
    : answering ? view.toolResults.map((r) => toolResultReply(r.name, r.text)).join('\n')
    : replyTo(view.userText ?? view.lastUserText);
  const { text, stopReason, stopSequence } = limitText(full, view.limits);
  let reasoning: Answer['reasoning'];
  if (hasFlag(trigger, 'think')) {
    const plan = toolCalls.length ? `call ${toolCalls.map((c) => c.name).join(' and ')}` : 'answer in text';
    const thought = reasoningAbout(trigger, plan);
    reasoning = { text: thought, signature: signThought(thought) };
  }
  return {
    reasoning,
    ...(stopReason ? { stopReason } : {}),
    ...(stopSequence !== undefined ? { stopSequence } : {}),
    text,
    toolCalls,
    inputTokens: estimateTokens(view.promptText),
    outputTokens: estimateTokens(text) + toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0),
    reasoningTokens: reasoning ? estimateTokens(reasoning.text) : 0,
  };
}

/**
 * The text as a model bound by the client's limits writes it: cut before the first stop sequence
 * it contains (stop reason `stop_sequence`, naming it), then at `maxTokens` tokens of the shared
 * estimate (`max_tokens`), so a client's handling of both can be developed offline.
 */
function limitText(full: string, limits: OutputLimits | undefined): { text: string; stopReason?: StopReason; stopSequence?: string } {
  if (!limits || full === '') return { text: full };
  let text = full;
  let stopReason: StopReason | undefined;
  let stopSequence: string | undefined;
  let at = -1;
  for (const s of limits.stop ?? []) {
    const i = s === '' ? -1 : text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) { at = i; stopSequence = s; }
  }
  if (at >= 0) { text = text.slice(0, at); stopReason = 'stop_sequence'; }
  const most = limits.maxTokens;
  if (most !== undefined && most >= 0 && estimateTokens(text) > most) {
    return { text: text.slice(0, most * 4), stopReason: 'max_tokens' };
  }
  return stopReason ? { text, stopReason, ...(stopSequence !== undefined ? { stopSequence } : {}) } : { text };
}

/**
 * The calls the markers of the last turn ask for: the first, or with `[[parallel]]` up to
 * MAX_TOOL_CALLS of them (later markers are left as text). Names and arguments together must fit in
 * MAX_ANSWER_CHARS — a call cut short would be broken JSON — else the request gets a 400.
 */
function scriptedCalls(trigger: string, view: ConversationView): ToolCall[] {
  if (view.tools.length === 0) return [];
  let markers: ToolRequest[] = findToolMarkers(trigger, hasFlag(trigger, 'parallel') ? MAX_TOOL_CALLS : 1);
  if (markers.length === 0) {
    // The loop marker sits in the user's first turn, anywhere in the history later on (promptText
    // holds all of it). Any later turn keeps the loop going — a note a gateway adds after the
    // results, which a translation may turn into a user message, or an agent's own "loop detected"
    // message — as a stuck model would: only something that stops asking the model ends it.
    const loop = findLoopMarker(view.promptText);
    if (loop) markers = [loop];
  }
  if (markers.length === 0) return [];
  // Ids derive from the prompt, hashed once: hashing it again for every call made cost prompt × calls.
  const promptDigest = shortHash(view.promptText, 64);
  let size = 0;
  return markers.map((m, i) => {
    // An unknown name still gets a call, to the first tool offered: scripts survive tool renames.
    const name = m.name && view.tools.includes(m.name) ? m.name : view.tools[0]!;
    size += name.length + m.arguments.length;
    if (size > MAX_ANSWER_CHARS) {
      const param = view.promptParam ?? 'messages';
      throw beyondBound(`${param}: the scripted tool calls' names and arguments come to over ${MAX_ANSWER_CHARS} characters, more than loopback answers`, param);
    }
    return { id: shortHash(`${promptDigest}\u0000${i}\u0000${name}`, 24), name, arguments: m.arguments };
  });
}

/** The first carried thought whose signature loopback did not give it, if any. */
export function forgedThought(view: ConversationView): CarriedThought | undefined {
  return view.thoughts.find((t) => !verifyThought(t.text, t.signature));
}

export function stopReasonOf(a: Answer): StopReason {
  return a.stopReason ?? (a.toolCalls.length ? 'tool_use' : 'end_turn');
}
