// A request as loopback's script sees it, read through core's protocol view: loopback knows no wire
// shape of a request, only how its answer is written (each protocol file) and which signatures a
// real provider would check.
import type { UpstreamRequest } from '../../exchange.js';
import { createRequestView } from '../../protocols/view/request-view.js';
import type { BodyPath, RequestView, Segment, SignatureInfo, ToolResultInfo } from '../../protocols/view/types.js';
import type { CarriedThought, ConversationView } from './script.js';
import type { JsonOutput } from './json-sample.js';

/** Text that is prompt: reasoning and tool-call arguments are not (they never were). */
const PROMPT_KINDS = new Set<Segment['kind']>(['system', 'user', 'assistant', 'tool_result']);

const lines = (texts: readonly string[]): string => texts.filter(Boolean).join('\n');

export interface ReadOptions {
  /** The request field holding the conversation, named in errors. */
  promptParam: string;
  jsonOutput: JsonOutput | undefined;
  thoughts?: CarriedThought[];
  /**
   * Chat's prompt text has always held a line per message, an empty one for a message without text
   * (a tool-call turn): kept, so its usage figures and call ids stay what they were.
   */
  linePerTurn?: boolean;
  /**
   * The client's tool choice says "none" (Anthropic `{type: none}`, Chat and Responses `"none"`,
   * Gemini `NONE`): a real model then answers in text whatever the prompt asks, so no marker calls.
   */
  toolsOff?: boolean;
}

/** Core's view of the request loopback is asked to answer. */
export function requestView(request: UpstreamRequest): RequestView {
  return createRequestView(request.protocol, request.body);
}

export function conversationOf(view: RequestView, options: ReadOptions): ConversationView {
  const prompt = view.segments().filter((s) => PROMPT_KINDS.has(s.kind));
  const byTurn = new Map<number, Segment[]>();
  for (const s of prompt) {
    const list = byTurn.get(s.turn);
    if (list) list.push(s); else byTurn.set(s.turn, [s]);
  }
  const textOf = (turn: number) => lines((byTurn.get(turn) ?? []).map((s) => s.text));

  // The turn that decides the answer: trailing system/developer messages are instructions, not the
  // user's turn (Claude Code appends a `system` message after the user's; notes come last too).
  let last = view.turns() - 1;
  while (last >= 0 && byTurn.get(last)?.every((s) => s.kind === 'system')) last--;
  // The client is answering tool calls when that turn, and the ones just before it, hold results
  // (Chat and Responses send one message or item per parallel call).
  const results = view.toolResults();
  const resultTurns = new Set(results.map((r) => r.turn));
  let first = last;
  while (first >= 0 && resultTurns.has(first)) first--;
  const answered = results.filter((r) => r.turn > first && r.turn <= last);

  const callNames = new Map<string, string>();
  for (const c of view.toolCalls()) if (c.id && c.name) callNames.set(c.id, c.name);
  // A result's own text: the turn's tool_result segments under its place (an Anthropic turn holds several).
  const resultText = (r: ToolResultInfo) => lines((byTurn.get(r.turn) ?? []).filter((s) => s.kind === 'tool_result' && within(s.path, r.path)).map((s) => s.text));

  return {
    lastUserText: answered.length ? '' : textOf(last),
    userText: answered.length ? '' : userQuote(byTurn.get(last) ?? []),
    toolResults: answered.map((r) => ({ name: (r.callId !== undefined ? callNames.get(r.callId) : undefined) ?? r.name ?? 'tool', text: resultText(r) })),
    tools: options.toolsOff ? [] : [...view.toolNames()],
    promptText: options.linePerTurn
      ? Array.from({ length: view.turns() }, (_, turn) => textOf(turn)).join('\n')
      : lines(prompt.map((s) => s.text)),
    jsonOutput: options.jsonOutput,
    thoughts: options.thoughts ?? [],
    promptParam: options.promptParam,
  };
}

/** Carried reasoning whose signature is to be checked, with where it sits for the error message. */
export function thoughtsOf(view: RequestView, check: (s: SignatureInfo) => boolean, location: (s: SignatureInfo) => string): CarriedThought[] {
  return view.signatures().filter((s) => s.signs === 'reasoning' && check(s)).map((s) => ({ text: s.text, signature: s.value ?? '', location: location(s) }));
}

const REMINDER_OPEN = '<system-reminder>';
const REMINDER_CLOSE = '</system-reminder>';

/**
 * What the user said in a turn, for the echo: its user texts (a document's too) once Claude Code's
 * injected `<system-reminder>…</system-reminder>` spans are taken out (it opens the user's turn
 * with reminder blocks — git status, CLAUDE.md — and may wrap some around the user's text). A turn
 * of nothing but reminders is quoted whole, as before.
 */
function userQuote(turn: readonly Segment[]): string {
  const said: string[] = [];
  for (const s of turn) {
    if (s.kind !== 'user') continue;
    const text = withoutReminders(s.text);
    if (text) said.push(text);
  }
  return said.length ? lines(said) : lines(turn.map((s) => s.text));
}

/** `text` without its closed reminder spans, trimmed when one was taken out; one pass over the text. */
function withoutReminders(text: string): string {
  let at = text.indexOf(REMINDER_OPEN);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    const end = text.indexOf(REMINDER_CLOSE, at + REMINDER_OPEN.length);
    // An unclosed tag inside the user's text is theirs; a block that opens with one is a reminder
    // cut short (recorded requests trim long blocks).
    if (end < 0) {
      if (at === 0) return '';
      break;
    }
    out += text.slice(from, at);
    from = end + REMINDER_CLOSE.length;
    at = text.indexOf(REMINDER_OPEN, from);
  }
  return from === 0 ? text : (out + text.slice(from)).trim();
}

function within(path: BodyPath, prefix: BodyPath): boolean {
  return prefix.every((k, i) => path[i] === k);
}
