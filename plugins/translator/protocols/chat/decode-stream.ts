// Chat Completions chunks → IR stream events, one chunk at a time. Tool calls are keyed by the
// upstream's `index`: the first delta for an index starts the call, later deltas without an id or
// with the same id continue it (some servers resend id and name on every delta), and a delta with a
// new id at a used index starts a new call (Ollama and SGLang send every call at index 0).
import {
  asArray, asObject, asString, readChatMessage,
  type ArgumentsForm, type BodyContainer, type BodyPath, type JsonObject, type RequestSink, type SegmentKind, type StreamEvent,
} from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { finishReasonToIr } from './finish-reason.js';
import { toolCallSignature } from './provider-state.js';
import { upstreamError } from './upstream-error.js';
import { usageToIr } from './usage.js';

export async function* decodeChatStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent> {
  let started = false;
  let finished = false;
  const calls = new CallIndex();
  const reader = new DeltaReader(calls);

  for await (const ev of events) {
    const chunk = asObject(ev.data);
    if (!chunk) continue; // `[DONE]` and anything that is not JSON
    if (chunk['error'] !== undefined && chunk['error'] !== null) throw upstreamError(chunk);
    if (!started) {
      started = true;
      const start: IrStreamEvent = { type: 'start' };
      const id = asString(chunk['id']);
      const model = asString(chunk['model']);
      if (id) start.id = id;
      if (model) start.model = model;
      yield start;
    }
    // Usage first: a server that reports it on the chunk of the first content (some do on every
    // chunk) then gives an Anthropic client the real input count in message_start.
    const usage = usageToIr(chunk);
    if (usage) yield { type: 'usage', usage };
    const choice = asObject(asArray(chunk['choices'])[0]);
    const delta = asObject(choice?.['delta']);
    if (delta) {
      const out = reader.read(delta);
      for (let i = 0; i < out.length; i++) yield out[i]!;
    }
    const reason = asString(choice?.['finish_reason']);
    if (reason && !finished) {
      finished = true;
      yield { type: 'finish', stopReason: finishReasonToIr(reason, calls.count > 0) };
    }
  }
}

type CallKey = number | 'legacy';

/** Upstream tool-call slots (an `index`, or `legacy` for function_call) → the IR call open in each. */
class CallIndex {
  private readonly slots = new Map<CallKey, { index: number; upstreamId: string | undefined }>();
  /** Every upstream id seen → its IR index: a repeated id is the same call wherever it appears. */
  private readonly byId = new Map<string, number>();
  count = 0;

  /** The IR index this delta belongs to, and whether it starts that call. */
  resolve(key: CallKey, upstreamId: string | undefined): { index: number; started: boolean } {
    const known = upstreamId === undefined ? undefined : this.byId.get(upstreamId);
    if (known !== undefined) {
      this.slots.set(key, { index: known, upstreamId });
      return { index: known, started: false };
    }
    const slot = this.slots.get(key);
    // No id continues the slot's call; so does the first id for a call that started without one
    // (its IR id was already sent). Only a new id at a used index is a new call.
    if (slot && (upstreamId === undefined || slot.upstreamId === undefined)) {
      if (upstreamId !== undefined) { slot.upstreamId = upstreamId; this.byId.set(upstreamId, slot.index); }
      return { index: slot.index, started: false };
    }
    const index = this.count++;
    this.slots.set(key, { index, upstreamId });
    if (upstreamId !== undefined) this.byId.set(upstreamId, index);
    return { index, started: true };
  }
}

/**
 * One delta as core's reader reports it (a delta is a piece of a message: readChatMessage reads it
 * as it reads a whole one), as IR events. One per stream; `read` refills the same list.
 */
class DeltaReader implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  private readonly out: IrStreamEvent[] = [];
  private delta: JsonObject = {};
  /** reasoning_content (or reasoning), sent only when no reasoning_details came with it. */
  private reasoningText: string | undefined;
  private details = false;
  /**
   * Reasoning sent as bare reasoning_content since the last reasoning_details. A server that
   * streams as Sluice does (stream-reasoning.ts) repeats that text, whole, in the detail that
   * carries its signature: it is not thinking to send twice.
   */
  private bareReasoning = '';
  /** Position of the next call among the delta's tool_calls, for servers that send no index. */
  private position = 0;

  constructor(private readonly calls: CallIndex) {}

  read(delta: JsonObject): IrStreamEvent[] {
    const out = this.out;
    out.length = 0;
    this.delta = delta;
    this.reasoningText = undefined;
    this.details = false;
    this.position = 0;
    readChatMessage(delta, 0, this);
    // OpenRouter sends `reasoning` and `reasoning_details` together: the details are the richer copy.
    if (this.details) this.bareReasoning = '';
    else if (this.reasoningText) {
      out.unshift({ type: 'thinking_delta', text: this.reasoningText });
      this.bareReasoning += this.reasoningText;
    }
    return out;
  }

  text(_kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const text = asString((owner as JsonObject)[key]);
    if (text) this.out.push({ type: 'text_delta', text });
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const text = typeof textKey === 'string' ? asString(owner[textKey]) : undefined;
    if (owner === this.delta) { this.reasoningText ??= text; return; }
    this.details = true;
    if (text && this.bareReasoning.startsWith(text)) this.bareReasoning = this.bareReasoning.slice(text.length);
    else if (text) this.out.push({ type: 'thinking_delta', text });
    const signature = field === undefined ? undefined : asString(owner[field]);
    if (signature) this.out.push({ type: 'thinking_signature', signature });
  }

  redacted(_role: string, _turn: number, owner: JsonObject, field: string): void {
    const data = asString(owner[field]);
    if (!data) return;
    this.details = true;
    this.out.push({ type: 'redacted_thinking', data });
  }

  call(rawId: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, form: ArgumentsForm, entry: JsonObject): void {
    let slot: CallKey = 'legacy';
    if (entry !== this.delta['function_call']) {
      slot = typeof entry['index'] === 'number' ? entry['index'] : this.position;
      this.position++;
    }
    const upstreamId = rawId || undefined;
    const { index, started } = this.calls.resolve(slot, upstreamId);
    if (started) {
      const start: IrStreamEvent = { type: 'tool_call_start', index, id: upstreamId ?? `call_${index}`, name };
      const signature = toolCallSignature(entry);
      if (signature) start.signature = signature;
      this.out.push(start);
    }
    // Freeform (custom) input is not JSON: the IR's {"input": …} wrapping is not streamed yet.
    const args = form === 'json_text' ? asString(owner[key]) : undefined;
    if (args) this.out.push({ type: 'tool_call_delta', index, arguments: args });
  }

  signature(): void {}
  result(): void {}
  other(): void {}
}
