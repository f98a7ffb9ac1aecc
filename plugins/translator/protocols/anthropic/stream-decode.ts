// Anthropic Messages SSE events → IR stream events, one by one as they arrive.
import {
  asNumber, asObject, asString, messagesDelta, NO_PATH, readMessagesBlock,
  type BodyContainer, type BodyPath, type JsonObject, type RequestSink, type SegmentKind, type StreamEvent,
} from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { decodeStopReason, decodeUsage, upstreamError } from './wire.js';

export async function* decodeStream(events: AsyncIterable<StreamEvent>): AsyncGenerator<IrStreamEvent> {
  const toolIndexByBlock = new Map<number, number>();
  const starts = new BlockStarts(toolIndexByBlock);
  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) continue;
    const type = asString(data['type']) ?? ev.event;
    switch (type) {
      case 'message_start': {
        const message = asObject(data['message']);
        const start: IrStreamEvent = { type: 'start' };
        const id = asString(message?.['id']);
        const model = asString(message?.['model']);
        if (id !== undefined) start.id = id;
        if (model !== undefined) start.model = model;
        yield start;
        const usage = decodeUsage(message?.['usage']);
        if (usage) yield { type: 'usage', usage };
        break;
      }
      case 'content_block_start': {
        const block = asObject(data['content_block']);
        if (!block) break;
        const out = starts.read(block, asNumber(data['index']) ?? 0);
        for (let i = 0; i < out.length; i++) yield out[i]!;
        break;
      }
      case 'content_block_delta': {
        const delta = asObject(data['delta']);
        const spec = messagesDelta(delta?.['type']);
        const value = spec?.text(delta!);
        if (!spec || !value) break; // empty pieces, citations_delta and delta types added later
        switch (spec.kind) {
          case 'text': yield { type: 'text_delta', text: value }; break;
          case 'reasoning': yield { type: 'thinking_delta', text: value }; break;
          case 'signature': yield { type: 'thinking_signature', signature: value }; break;
          case 'tool_arguments': {
            const tool = toolIndexByBlock.get(asNumber(data['index']) ?? 0);
            if (tool !== undefined) yield { type: 'tool_call_delta', index: tool, arguments: value };
            break;
          }
        }
        break;
      }
      case 'message_delta': {
        const delta = asObject(data['delta']);
        const reason = asString(delta?.['stop_reason']);
        if (reason !== undefined) {
          const finish: IrStreamEvent = { type: 'finish', stopReason: decodeStopReason(reason) };
          const stopSequence = asString(delta?.['stop_sequence']);
          if (stopSequence !== undefined) finish.stopSequence = stopSequence;
          yield finish;
        }
        // Newer API versions repeat input and cache counts here as whole-message totals.
        const usage = decodeUsage(data['usage']);
        if (usage) yield { type: 'usage', usage };
        break;
      }
      case 'error': throw upstreamError(data);
      default: break; // ping, content_block_stop, message_stop and event types added later
    }
  }
}

/**
 * A started block as core's reader reports it (readMessagesBlock: a block in a stream is a block of
 * a message), as IR events. One per stream; `read` refills the same list.
 */
class BlockStarts implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  private readonly out: IrStreamEvent[] = [];
  private index = 0;
  private nextTool = 0;

  /** Anthropic indexes content blocks of every kind; the IR numbers tool calls only, 0, 1, 2… */
  constructor(private readonly toolIndexByBlock: Map<number, number>) {}

  read(block: JsonObject, index: number): IrStreamEvent[] {
    this.out.length = 0;
    this.index = index;
    readMessagesBlock(block, 'assistant', 'assistant', 0, NO_PATH, this);
    return this.out;
  }

  text(kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const text = kind === 'tool_result' ? undefined : asString((owner as JsonObject)[key]);
    if (text) this.out.push({ type: 'text_delta', text });
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const text = typeof textKey === 'string' ? asString(owner[textKey]) : undefined;
    if (text) this.out.push({ type: 'thinking_delta', text });
    const signature = field === undefined ? undefined : asString(owner[field]);
    if (signature) this.out.push({ type: 'thinking_signature', signature });
  }

  redacted(_role: string, _turn: number, owner: JsonObject, field: string): void {
    this.out.push({ type: 'redacted_thinking', data: asString(owner[field]) ?? '' });
  }

  call(id: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string): void {
    const tool = this.nextTool++;
    this.toolIndexByBlock.set(this.index, tool);
    this.out.push({ type: 'tool_call_start', index: tool, id: id ?? '', name });
    // The start block's input is `{}` when arguments stream; anything else is arguments given whole.
    const input = asObject(owner[key]);
    if (input && Object.keys(input).length) this.out.push({ type: 'tool_call_delta', index: tool, arguments: JSON.stringify(input) });
  }

  signature(): void {}
  result(): void {} // tool results and server tools' blocks are Anthropic's own work
  other(): void {}
}
