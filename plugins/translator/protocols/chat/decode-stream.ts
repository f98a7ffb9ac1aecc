// Chat Completions chunks → IR stream events, one chunk at a time. Tool calls are keyed by the
// upstream's `index`; the first delta for an index starts the call and later repeats of its
// id/name (some servers resend them) are ignored.
import { asArray, asObject, asString, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { finishReasonToIr } from './finish-reason.js';
import { reasoningDetailsToIr, toolCallSignature } from './provider-state.js';
import { upstreamError } from './upstream-error.js';
import { usageToIr } from './usage.js';

export async function* decodeChatStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent> {
  let started = false;
  let finished = false;
  /** Upstream tool-call index (or `legacy` for function_call) → IR index. */
  const calls = new Map<number | 'legacy', number>();

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
    const choice = asObject(asArray(chunk['choices'])[0]);
    const delta = asObject(choice?.['delta']);
    if (delta) yield* deltaEvents(delta, calls);
    const reason = asString(choice?.['finish_reason']);
    if (reason && !finished) {
      finished = true;
      yield { type: 'finish', stopReason: finishReasonToIr(reason, calls.size > 0) };
    }
    const usage = usageToIr(chunk);
    if (usage) yield { type: 'usage', usage };
  }
}

function* deltaEvents(delta: JsonObject, calls: Map<number | 'legacy', number>): Generator<IrStreamEvent> {
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

function* toolCallEvents(call: JsonObject, key: number | 'legacy', calls: Map<number | 'legacy', number>): Generator<IrStreamEvent> {
  const fn = asObject(call['function']);
  let index = calls.get(key);
  if (index === undefined) {
    index = calls.size;
    calls.set(key, index);
    const start: IrStreamEvent = {
      type: 'tool_call_start', index, id: asString(call['id']) || `call_${index}`, name: asString(fn?.['name']) ?? '',
    };
    const signature = toolCallSignature(call);
    if (signature) start.signature = signature;
    yield start;
  }
  const args = asString(fn?.['arguments']);
  if (args) yield { type: 'tool_call_delta', index, arguments: args };
}
