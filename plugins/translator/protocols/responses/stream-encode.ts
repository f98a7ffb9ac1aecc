// IR stream events → Responses SSE events, for Responses clients (Codex CLI, the openai SDK's
// ResponseStream). Every event carries `type` and a sequence_number counting from 0; items open and
// close balanced (added → deltas → done) by output_index; exactly one terminal event ends it.
import { emptyUsage, mergeUsage, type JsonObject, type JsonValue, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrStopReason, IrStreamEvent } from '../../ir.js';
import { idWithSignature } from '../../tool-call-ids.js';
import { argumentsOrEmptyObject, isCompleteJson } from '../../util.js';
import {
  callName, type CallName, customCallItem, endedStatus, functionCallItem, itemId, messageItem, outputTextPart, reasoningItem, responseObject,
} from './response-object.js';
import { customInput, freeformNames, incompleteReason, namespacedTools, REDACTED_PREFIX } from './wire.js';

export async function* encodeResponsesStream(events: AsyncIterable<IrStreamEvent>, ctx: EncodeContext): AsyncIterable<StreamEvent> {
  const writer = new ResponsesStreamWriter(ctx);
  for await (const ev of events) yield* writer.accept(ev);
  yield* writer.end();
}

/** The message or reasoning item being written: at most one is open at a time. */
type OpenItem =
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'reasoning'; index: number; id: string; text: string; signature?: string };

interface StreamedCall {
  index: number;
  id: string;
  callId: string;
  name: CallName;
  /** Freeform calls are buffered: the raw input can only be cut out of complete IR arguments. */
  custom: boolean;
  args: string;
  closed: boolean;
}

class ResponsesStreamWriter {
  private sequence = 0;
  private started = false;
  /** Finished items by output_index (null while an item is still open). */
  private readonly output: (JsonValue | null)[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, StreamedCall>();
  private readonly freeform: Set<string>;
  private readonly namespaced: Map<string, { name: string; tool: string }>;
  private usage: Usage | undefined;
  private stopReason: IrStopReason | undefined;
  /** The output_index of the item a token limit cut short, once the stream has ended with one. */
  private cut: number | undefined;

  constructor(private readonly ctx: EncodeContext) {
    this.freeform = freeformNames(ctx.request.tools);
    this.namespaced = namespacedTools(ctx.request.tools);
  }

  *accept(ev: IrStreamEvent): Iterable<StreamEvent> {
    // response.created waits for the first upstream event, so an upstream that fails before
    // answering still gets a plain HTTP error instead of a stream that opened and died.
    yield* this.start();
    switch (ev.type) {
      case 'start':
        break; // the client sees Sluice's response id and its own model name
      case 'text_delta':
        if (!ev.text) break;
        if (this.open?.kind !== 'message') yield* this.openItem('message');
        if (this.open?.kind === 'message') {
          this.open.text += ev.text;
          yield this.emit('response.output_text.delta', {
            item_id: this.open.id, output_index: this.open.index, content_index: 0, delta: ev.text, logprobs: [],
          });
        }
        break;
      case 'thinking_delta': {
        if (!ev.text) break;
        // A signature seals a reasoning block: thinking after it is a new block (Anthropic sends several).
        if (this.open?.kind !== 'reasoning' || this.open.signature !== undefined) yield* this.openItem('reasoning');
        const item = this.open;
        if (item?.kind !== 'reasoning') break;
        const where = { item_id: item.id, output_index: item.index, summary_index: 0 };
        if (item.text === '') yield this.emit('response.reasoning_summary_part.added', where, { part: { type: 'summary_text', text: '' } });
        item.text += ev.text;
        yield this.emit('response.reasoning_summary_text.delta', where, { delta: ev.text });
        break;
      }
      case 'thinking_signature':
        if (this.open?.kind !== 'reasoning' || this.open.signature !== undefined) yield* this.openItem('reasoning');
        if (this.open?.kind === 'reasoning') this.open.signature = ev.signature;
        break;
      case 'redacted_thinking':
        yield* this.openItem('reasoning');
        if (this.open?.kind === 'reasoning') this.open.signature = REDACTED_PREFIX + ev.data;
        yield* this.closeOpen();
        break;
      case 'tool_call_start': {
        if (this.calls.has(ev.index)) break;
        yield* this.closeOpen();
        const index = this.output.length;
        this.output.push(null);
        const custom = this.freeform.has(ev.name);
        const call: StreamedCall = {
          index, id: itemId(custom ? 'ctc' : 'fc', this.ctx, index), callId: idWithSignature(ev.id, ev.signature), name: callName(ev.name, this.namespaced), custom, args: '', closed: false,
        };
        this.calls.set(ev.index, call);
        const item = custom
          ? customCallItem(call.id, call.callId, call.name, '', 'in_progress')
          : functionCallItem(call.id, call.callId, call.name, '', 'in_progress');
        yield this.emit('response.output_item.added', { output_index: index, item });
        break;
      }
      case 'tool_call_delta': {
        const call = this.calls.get(ev.index);
        if (!call || call.closed || !ev.arguments) break;
        call.args += ev.arguments;
        if (!call.custom) {
          yield this.emit('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: ev.arguments });
        }
        break;
      }
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'finish':
        this.stopReason = ev.stopReason;
        break;
    }
  }

  *end(): Iterable<StreamEvent> {
    yield* this.start();
    const stopReason = this.stopReason ?? 'end_turn';
    // The item still open when the answer stopped short (the last one) is done as incomplete.
    this.cut = endedStatus(stopReason, true) === 'incomplete' ? this.output.length - 1 : undefined;
    yield* this.closeOpen();
    for (const call of [...this.calls.values()].sort((a, b) => a.index - b.index)) yield* this.closeCall(call);
    const usage = this.usage ?? { ...emptyUsage(), inputTokens: this.ctx.estimatedInputTokens, estimated: true };
    const response = responseObject(this.ctx, { stopReason, output: this.output.filter((o): o is JsonValue => o !== null), usage });
    yield this.emit(incompleteReason(stopReason) ? 'response.incomplete' : 'response.completed', { response });
  }

  private *start(): Iterable<StreamEvent> {
    if (this.started) return;
    this.started = true;
    const response = responseObject(this.ctx, { stopReason: undefined, output: [], usage: undefined });
    yield this.emit('response.created', { response });
    yield this.emit('response.in_progress', { response });
  }

  private *openItem(kind: OpenItem['kind']): Iterable<StreamEvent> {
    yield* this.closeOpen();
    // Calls whose arguments are complete are done: a new text or reasoning item follows them.
    for (const call of this.calls.values()) if (!call.closed && isCompleteJson(call.args)) yield* this.closeCall(call);
    const index = this.output.length;
    this.output.push(null);
    if (kind === 'message') {
      const id = itemId('msg', this.ctx, index);
      this.open = { kind, index, id, text: '' };
      yield this.emit('response.output_item.added', { output_index: index, item: messageItem(id, '', 'in_progress') });
      yield this.emit('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part: outputTextPart('') });
    } else {
      const id = itemId('rs', this.ctx, index);
      this.open = { kind, index, id, text: '' };
      yield this.emit('response.output_item.added', { output_index: index, item: reasoningItem(id, '', undefined) });
    }
  }

  private *closeOpen(): Iterable<StreamEvent> {
    const item = this.open;
    if (!item) return;
    this.open = undefined;
    let done: JsonObject;
    if (item.kind === 'message') {
      const where = { item_id: item.id, output_index: item.index, content_index: 0 };
      yield this.emit('response.output_text.done', where, { text: item.text, logprobs: [] });
      yield this.emit('response.content_part.done', where, { part: outputTextPart(item.text) });
      done = messageItem(item.id, item.text, this.statusOf(item.index));
    } else {
      if (item.text !== '') {
        const where = { item_id: item.id, output_index: item.index, summary_index: 0 };
        yield this.emit('response.reasoning_summary_text.done', where, { text: item.text });
        yield this.emit('response.reasoning_summary_part.done', where, { part: { type: 'summary_text', text: item.text } });
      }
      done = reasoningItem(item.id, item.text, item.signature);
    }
    this.output[item.index] = done;
    yield this.emit('response.output_item.done', { output_index: item.index, item: done });
  }

  private *closeCall(call: StreamedCall): Iterable<StreamEvent> {
    if (call.closed) return;
    call.closed = true;
    const where = { item_id: call.id, output_index: call.index };
    let done: JsonObject;
    if (call.custom) {
      const input = customInput(call.args);
      if (input) yield this.emit('response.custom_tool_call_input.delta', where, { delta: input });
      yield this.emit('response.custom_tool_call_input.done', where, { input });
      done = customCallItem(call.id, call.callId, call.name, input, this.statusOf(call.index));
    } else {
      const args = argumentsOrEmptyObject(call.args);
      if (args !== call.args) yield this.emit('response.function_call_arguments.delta', where, { delta: args });
      yield this.emit('response.function_call_arguments.done', where, { arguments: args });
      done = functionCallItem(call.id, call.callId, call.name, args, this.statusOf(call.index));
    }
    this.output[call.index] = done;
    yield this.emit('response.output_item.done', { output_index: call.index, item: done });
  }

  private statusOf(index: number): 'completed' | 'incomplete' {
    return index === this.cut ? 'incomplete' : 'completed';
  }

  /**
   * An event of `type` with `fields` (and `more`, for the fields an item's events add to its place:
   * a spread copy given a key of its own gets a new V8 map on every call, see core's withFields).
   */
  private emit(type: string, fields: JsonObject, more?: JsonObject): StreamEvent {
    return { event: type, data: { type, ...fields, ...more, sequence_number: this.sequence++ } };
  }
}
