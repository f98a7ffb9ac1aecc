// Anthropic Messages SSE events → IR stream events, one by one as they arrive.
import { asNumber, asObject, asString, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../ir.js';
import { decodeStopReason, decodeUsage, upstreamError } from './wire.js';

export async function* decodeStream(events: AsyncIterable<StreamEvent>): AsyncGenerator<IrStreamEvent> {
  // Anthropic indexes content blocks of every kind; the IR numbers tool calls only, 0, 1, 2…
  const toolIndexByBlock = new Map<number, number>();
  let nextToolIndex = 0;
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
        const index = asNumber(data['index']) ?? 0;
        if (block) yield* blockStart(block, index, toolIndexByBlock, () => nextToolIndex++);
        break;
      }
      case 'content_block_delta': {
        const delta = asObject(data['delta']);
        const index = asNumber(data['index']) ?? 0;
        switch (asString(delta?.['type'])) {
          case 'text_delta': {
            const text = asString(delta?.['text']) ?? '';
            if (text) yield { type: 'text_delta', text };
            break;
          }
          case 'input_json_delta': {
            const tool = toolIndexByBlock.get(index);
            const partial = asString(delta?.['partial_json']) ?? '';
            if (tool !== undefined && partial) yield { type: 'tool_call_delta', index: tool, arguments: partial };
            break;
          }
          case 'thinking_delta': {
            const text = asString(delta?.['thinking']) ?? '';
            if (text) yield { type: 'thinking_delta', text };
            break;
          }
          case 'signature_delta': {
            const signature = asString(delta?.['signature']) ?? '';
            if (signature) yield { type: 'thinking_signature', signature };
            break;
          }
          default: break; // citations_delta and future delta types
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

function* blockStart(block: JsonObject, index: number, toolIndexByBlock: Map<number, number>, nextToolIndex: () => number): Generator<IrStreamEvent> {
  switch (asString(block['type'])) {
    case 'text': {
      const text = asString(block['text']) ?? '';
      if (text) yield { type: 'text_delta', text };
      break;
    }
    case 'thinking': {
      const text = asString(block['thinking']) ?? '';
      if (text) yield { type: 'thinking_delta', text };
      const signature = asString(block['signature']) ?? '';
      if (signature) yield { type: 'thinking_signature', signature };
      break;
    }
    case 'redacted_thinking': yield { type: 'redacted_thinking', data: asString(block['data']) ?? '' }; break;
    case 'tool_use': {
      const tool = nextToolIndex();
      toolIndexByBlock.set(index, tool);
      yield { type: 'tool_call_start', index: tool, id: asString(block['id']) ?? '', name: asString(block['name']) ?? '' };
      // The start block's input is `{}` when arguments stream; anything else is arguments given whole.
      const input = asObject(block['input']);
      if (input && Object.keys(input).length) yield { type: 'tool_call_delta', index: tool, arguments: JSON.stringify(input) };
      break;
    }
    default: break; // server_tool_use and tool results Anthropic produced itself
  }
}
