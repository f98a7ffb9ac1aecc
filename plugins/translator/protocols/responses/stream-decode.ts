// Responses SSE events → IR stream events, for when OpenAI's Responses API is the upstream. Each
// event is translated as it arrives; only per-item bookkeeping is kept.
import {
  asObject, asString, readResponsesItem, responsesDelta, responsesDone, streamError, usageFrom,
  type ArgumentsForm, type BodyPath, type JsonObject, type RequestSink, type StreamEvent,
} from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { stopReasonOf } from './response-decode.js';
import { REDACTED_PREFIX, RESPONSES_PROTOCOL } from './wire.js';

/**
 * A tool call being streamed. Freeform (custom) input is raw text, so it is wrapped on the fly into
 * the IR's `{"input": "..."}` JSON: the prefix at the start, escaped fragments, the suffix at the end.
 */
interface OpenCall {
  index: number;
  custom: boolean;
  /** Raw text received so far (arguments, or custom input), to fill in from `done` if deltas were skipped. */
  received: string;
  closed: boolean;
}

/**
 * What an output item is, as core's reader reports it (an output item is an input item): a call,
 * with where its text is, or reasoning, with the field of its signature. One per stream.
 */
class OutputItem implements RequestSink {
  readonly paths = false;
  readonly allText = false; // the text of a message item comes as deltas
  found: { id: string | undefined; name: string; key: string; form: ArgumentsForm } | undefined;
  signedBy: string | undefined;

  read(item: JsonObject): this {
    this.found = this.signedBy = undefined;
    readResponsesItem(item, 0, this, asString(item['type']));
    return this;
  }

  reasoning(_role: string, _turn: number, _owner: JsonObject, _textKey: string | readonly string[] | undefined, field: string | undefined): void {
    this.signedBy = field;
  }

  call(id: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, _owner: JsonObject, key: string, _ownerAt: BodyPath, form: ArgumentsForm): void {
    this.found = { id, name, key, form };
  }

  text(): void {}
  redacted(): void {}
  signature(): void {}
  result(): void {}
  other(): void {}
}

const CUSTOM_PREFIX = '{"input":"';
const CUSTOM_SUFFIX = '"}';

export async function* decodeResponsesStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent> {
  const calls = new Map<string, OpenCall>(); // by item id (output_index when an item has no id)
  const items = new OutputItem();
  let nextIndex = 0;
  let started = false;
  /** Reasoning items by key: the last summary index seen, to separate summary paragraphs. */
  const summaryIndex = new Map<string, number>();

  // Calls are found by item id, or by output_index for servers that leave the id out of some events.
  const byIndex = (data: JsonObject): string => `#${String(data['output_index'])}`;
  const findCall = (id: string | undefined, data: JsonObject): OpenCall | undefined =>
    (id !== undefined ? calls.get(id) : undefined) ?? calls.get(byIndex(data));
  const escape = (text: string): string => JSON.stringify(text).slice(1, -1);

  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) continue; // keep-alive comments, stray strings
    const type = asString(data['type']) ?? ev.event ?? '';
    // Pieces of text: which kind each event carries is core's reading (responsesDelta).
    const piece = responsesDelta(type);
    if (piece) {
      const delta = asString(data['delta']);
      if (!delta) continue;
      if (piece.kind === 'text') yield { type: 'text_delta', text: delta };
      else if (piece.kind === 'tool_arguments') {
        const call = findCall(asString(data['item_id']), data);
        if (!call || call.closed) continue;
        call.received += delta;
        yield { type: 'tool_call_delta', index: call.index, arguments: call.custom ? escape(delta) : delta };
      } else if (piece.part === 'summary_index') {
        // Summary parts are paragraphs; the JSON decoder joins them with a blank line too.
        const key = asString(data['item_id']) ?? byIndex(data);
        const index = typeof data['summary_index'] === 'number' ? data['summary_index'] : 0;
        const last = summaryIndex.get(key);
        summaryIndex.set(key, index);
        yield { type: 'thinking_delta', text: last !== undefined && last !== index ? `\n\n${delta}` : delta };
      } else yield { type: 'thinking_delta', text: delta };
      continue;
    }
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued': {
        if (started) break;
        started = true;
        const res = asObject(data['response']);
        const start: IrStreamEvent = { type: 'start' };
        const id = asString(res?.['id']);
        const model = asString(res?.['model']);
        if (id !== undefined) start.id = id;
        if (model !== undefined) start.model = model;
        yield start;
        break;
      }
      case 'response.output_item.added': {
        const item = asObject(data['item']);
        const found = item && items.read(item).found;
        if (!item || !found) break;
        const call: OpenCall = { index: nextIndex++, custom: found.form === 'free_text', received: '', closed: false };
        const id = asString(item['id']);
        if (id !== undefined) calls.set(id, call);
        calls.set(byIndex(data), call);
        yield { type: 'tool_call_start', index: call.index, id: found.id ?? '', name: found.name };
        if (call.custom) yield { type: 'tool_call_delta', index: call.index, arguments: CUSTOM_PREFIX };
        // Some servers put (part of) the arguments on the added item already.
        const initial = asString(item[found.key]) ?? '';
        if (initial) {
          call.received = initial;
          yield { type: 'tool_call_delta', index: call.index, arguments: call.custom ? escape(initial) : initial };
        }
        break;
      }
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const call = findCall(asString(data['item_id']), data);
        if (call) yield* closeCall(call, asString(data[responsesDone(type)!.field]));
        break;
      }
      case 'response.output_item.done': {
        const item = asObject(data['item']);
        if (!item) break;
        const { found, signedBy: signature } = items.read(item);
        if (signature !== undefined) {
          const encrypted = asString(item[signature]);
          if (encrypted?.startsWith(REDACTED_PREFIX)) yield { type: 'redacted_thinking', data: encrypted.slice(REDACTED_PREFIX.length) };
          else if (encrypted) yield { type: 'thinking_signature', signature: encrypted };
        } else if (found) {
          const call = findCall(asString(item['id']), data);
          if (call) yield* closeCall(call, asString(item[found.key]));
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const res = asObject(data['response']) ?? {};
        if (!started) {
          started = true;
          yield { type: 'start' };
        }
        for (const call of new Set(calls.values())) yield* closeCall(call, undefined);
        // No usage is better than a made-up zero: the ledger estimates when none arrives.
        const usage = usageFrom(RESPONSES_PROTOCOL, res);
        if (usage) yield { type: 'usage', usage };
        yield { type: 'finish', stopReason: stopReasonOf(res, nextIndex > 0) };
        break;
      }
      case 'response.failed':
      case 'error':
        // Core's reading of both shapes (fields at the top level, nested under `error`, or the
        // failed response's `error`), with the status the code implies: an overload stays one.
        throw streamError(RESPONSES_PROTOCOL, undefined, { data });
      default:
        break; // content_part/output_text.done/annotations/hosted-tool progress carry nothing new
    }
  }

  function* closeCall(call: OpenCall, final: string | undefined): Iterable<IrStreamEvent> {
    if (call.closed) return;
    call.closed = true;
    // `done` repeats the whole text: send whatever the deltas did not deliver.
    if (final !== undefined && final.length > call.received.length && final.startsWith(call.received)) {
      const rest = final.slice(call.received.length);
      yield { type: 'tool_call_delta', index: call.index, arguments: call.custom ? escape(rest) : rest };
    }
    if (call.custom) yield { type: 'tool_call_delta', index: call.index, arguments: CUSTOM_SUFFIX };
  }
}
