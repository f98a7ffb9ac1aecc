// Anthropic Messages streams: a channel per content block; what a transform still holds goes out
// as one more delta just before the block's content_block_stop.
import { asObject } from '../json.js';
import type { JsonObject, StreamEvent } from '../types.js';
import { Channels, makeChannel } from './stream-channels.js';
import type { DeltaTransform } from './types.js';

const DELTA_FIELD = { text_delta: 'text', thinking_delta: 'thinking', input_json_delta: 'partial_json' } as const;
const KIND = { text: 'text', thinking: 'reasoning', tool_use: 'tool_arguments' } as const;

export async function* transformAnthropicStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  const kinds = new Map<number, { kind: keyof typeof KIND; name?: string; id?: string }>();
  const channelOf = (index: number) => {
    const b = kinds.get(index);
    return b && makeChannel(KIND[b.kind], 0, index, { toolName: b.name, callId: b.id });
  };
  for await (const ev of events) {
    const data = asObject(ev.data);
    const type = data?.['type'];
    const index = typeof data?.['index'] === 'number' ? data['index'] : -1;
    if (type === 'content_block_start') {
      const block = asObject(data!['content_block']);
      const kind = block?.['type'];
      if (kind === 'text' || kind === 'thinking' || kind === 'tool_use') {
        kinds.set(index, { kind, name: typeof block!['name'] === 'string' ? block!['name'] : undefined, id: typeof block!['id'] === 'string' ? block!['id'] : undefined });
        const initial = kind === 'text' ? block!['text'] : kind === 'thinking' ? block!['thinking'] : undefined;
        if (typeof initial === 'string' && initial !== '') block![kind === 'text' ? 'text' : 'thinking'] = channels.delta(channelOf(index)!, initial);
      }
    } else if (type === 'content_block_delta') {
      const delta = asObject(data!['delta']);
      const field = DELTA_FIELD[delta?.['type'] as keyof typeof DELTA_FIELD];
      const ch = channelOf(index);
      if (field && ch && typeof delta![field] === 'string') delta![field] = channels.delta(ch, delta![field] as string);
    } else if (type === 'content_block_stop') {
      const b = kinds.get(index);
      const held = channels.end(channelOf(index)?.key ?? '');
      if (held && b) yield { event: 'content_block_delta', data: flushDelta(index, b.kind, held) };
    }
    yield ev;
  }
  // A stream that ended without closing its blocks still gets what was held (egress adds the error).
  for (const { channel, text } of channels.endAll()) {
    const b = kinds.get(channel.index);
    if (text && b) yield { event: 'content_block_delta', data: flushDelta(channel.index, b.kind, text) };
  }
}

function flushDelta(index: number, kind: keyof typeof KIND, text: string): JsonObject {
  const delta: JsonObject = kind === 'text' ? { type: 'text_delta', text } : kind === 'thinking' ? { type: 'thinking_delta', thinking: text } : { type: 'input_json_delta', partial_json: text };
  return { type: 'content_block_delta', index, delta };
}
