// Chat Completions chunks → IR stream events, one chunk at a time. Tool calls are keyed by the
// upstream's `index`: the first delta for an index starts the call, later deltas without an id or
// with the same id continue it (some servers resend id and name on every delta), and a delta with a
// new id at a used index starts a new call (Ollama and SGLang send every call at index 0).
import { asArray, asObject, asString, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { finishReasonToIr } from './finish-reason.js';
import { reasoningDetailsToIr, toolCallSignature } from './provider-state.js';
import { upstreamError } from './upstream-error.js';
import { usageToIr } from './usage.js';

export async function* decodeChatStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent> {
  let started = false;
  let finished = false;
  const calls = new CallIndex();

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
    if (delta) yield* deltaEvents(delta, calls);
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

function* deltaEvents(delta: JsonObject, calls: CallIndex): Generator<IrStreamEvent> {
  const details = reasoningDetailsToIr(delta['reasoning_details']);
  if (details.length > 0) {
    // OpenRouter sends `reasoning` and `reasoning_details` together: the details are the richer copy.
    for (const d of details) {
      if (d.type === 'redacted_thinking') { yield { type: 'redacted_thinking', data: d.data }; continue; }
      if (d.text) yield { type: 'thinking_delta', text: d.text };
      if (d.signature) yield { type: 'thinking_signature', signature: d.signature };
    }
  } else {
    const reasoning = asString(delta['reasoning_content']) ?? asString(delta['reasoning']);
    if (reasoning) yield { type: 'thinking_delta', text: reasoning };
  }
  const content = asString(delta['content']);
  if (content) yield { type: 'text_delta', text: content };
  const refusal = asString(delta['refusal']);
  if (refusal) yield { type: 'text_delta', text: refusal };

  let position = 0;
  for (const item of asArray(delta['tool_calls'])) {
    const call = asObject(item);
    if (!call) continue;
    const upstreamIndex = typeof call['index'] === 'number' ? call['index'] : position;
    position++;
    yield* toolCallEvents(call, upstreamIndex, calls);
  }
  const legacy = asObject(delta['function_call']);
  if (legacy) yield* toolCallEvents({ function: legacy }, 'legacy', calls);
}

function* toolCallEvents(call: JsonObject, key: CallKey, calls: CallIndex): Generator<IrStreamEvent> {
  const fn = asObject(call['function']);
  const upstreamId = asString(call['id']) || undefined;
  const { index, started } = calls.resolve(key, upstreamId);
  if (started) {
    const start: IrStreamEvent = {
      type: 'tool_call_start', index, id: upstreamId ?? `call_${index}`, name: asString(fn?.['name']) ?? '',
    };
    const signature = toolCallSignature(call);
    if (signature) start.signature = signature;
    yield start;
  }
  const args = asString(fn?.['arguments']);
  if (args) yield { type: 'tool_call_delta', index, arguments: args };
}
