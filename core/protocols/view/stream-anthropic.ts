// Anthropic Messages streams: a channel per content block; what a transform still holds goes out
// as one more delta just before the block's content_block_stop. A content_block_start holds a block
// as a message does, read by the request reader (readMessagesBlock); the delta types are below,
// shared with the translator's stream decoder.
import { asObject, asString } from '../json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../types.js';
import { readMessagesBlock } from './request-anthropic.js';
import { NO_PATH, type ArgumentsForm, type Container, type RequestSink } from './sink.js';
import { Channels, makeChannel } from './stream-channels.js';
import type { BodyPath, Channel, DeltaTransform, SegmentKind } from './types.js';

/** What a content_block_delta carries: a channel's next piece, or the thinking's signature; and in which field. */
export interface MessagesDelta {
  readonly kind: Channel['kind'] | 'signature';
  readonly field: string;
  /** The piece (delta[field]) when it is a string: a read of its own per type, which runs per event. */
  readonly text: (delta: JsonObject) => string | undefined;
}

const TEXT: MessagesDelta = { kind: 'text', field: 'text', text: (d) => asString(d['text']) };
const THINKING: MessagesDelta = { kind: 'reasoning', field: 'thinking', text: (d) => asString(d['thinking']) };
const INPUT_JSON: MessagesDelta = { kind: 'tool_arguments', field: 'partial_json', text: (d) => asString(d['partial_json']) };
const SIGNATURE: MessagesDelta = { kind: 'signature', field: 'signature', text: (d) => asString(d['signature']) };

/** The delta a content_block_delta's `delta.type` names; undefined for citations_delta and types added later. */
export function messagesDelta(type: JsonValue | undefined): MessagesDelta | undefined {
  switch (type) {
    case 'text_delta': return TEXT;
    case 'thinking_delta': return THINKING;
    case 'input_json_delta': return INPUT_JSON;
    case 'signature_delta': return SIGNATURE;
    default: return undefined;
  }
}

const KIND = { text: 'text', thinking: 'reasoning', tool_use: 'tool_arguments' } as const;
type BlockKind = keyof typeof KIND;
interface OpenBlock { kind: BlockKind; name?: string; id?: string }

/** A started block as the reader reports it: its kind, and its first text run through the transform. */
class BlockStart implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  index = 0;
  constructor(private readonly kinds: Map<number, OpenBlock>, private readonly channels: Channels) {}

  private open(kind: BlockKind, owner: JsonObject, key: string, name?: string, id?: string): void {
    this.kinds.set(this.index, { kind, name, id });
    const initial = owner[key];
    if (kind !== 'tool_use' && typeof initial === 'string' && initial !== '') owner[key] = this.channels.delta(makeChannel(KIND[kind], 0, this.index), initial);
  }

  text(kind: SegmentKind, _role: string, _turn: number, owner: Container, key: string | number): void {
    if (kind !== 'tool_result' && key === 'text') this.open('text', owner as JsonObject, key);
  }
  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined): void {
    if (typeof textKey === 'string') this.open('thinking', owner, textKey);
  }
  call(id: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, _form: ArgumentsForm): void {
    this.open('tool_use', owner, key, name, id);
  }
  redacted(): void {}
  signature(): void {}
  result(): void {}
  other(): void {}
}

export async function* transformAnthropicStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  const kinds = new Map<number, OpenBlock>();
  const start = new BlockStart(kinds, channels);
  const channelOf = (index: number) => {
    const b = kinds.get(index);
    return b && makeChannel(KIND[b.kind], 0, index, { toolName: b.name, callId: b.id });
  };
  /** What the open blocks hold, as one more delta each (a stream that ended or failed without closing them). */
  const held = function* (rest: { channel: Channel; text: string }[]): Generator<StreamEvent> {
    for (const { channel, text } of rest) {
      const b = kinds.get(channel.index);
      if (text && b) yield { event: 'content_block_delta', data: flushDelta(channel.index, b.kind, text) };
    }
  };
  try {
    for await (const ev of events) {
      const data = asObject(ev.data);
      const type = data?.['type'];
      const index = typeof data?.['index'] === 'number' ? data['index'] : -1;
      if (type === 'content_block_start') {
        const block = asObject(data!['content_block']);
        start.index = index;
        if (block) readMessagesBlock(block, 'assistant', 'assistant', 0, NO_PATH, start);
      } else if (type === 'content_block_delta') {
        const delta = asObject(data!['delta']);
        const spec = messagesDelta(delta?.['type']);
        const ch = channelOf(index);
        if (spec?.kind === 'signature') {
          // The signature closes the thinking it signs: its held text goes before it, so the block
          // reads thinking, then signature, as Anthropic sends it; held text after the signature would
          // arrive in a block the client already considers signed.
          const text = ch ? channels.end(ch.key) : '';
          if (text) yield { event: 'content_block_delta', data: flushDelta(index, kinds.get(index)!.kind, text) };
        } else {
          const text = spec && ch ? spec.text(delta!) : undefined;
          if (text !== undefined) {
            const out = channels.delta(ch!, text);
            delta![spec!.field] = out;
            if (out === '' && text !== '') continue; // held back whole: a delta with nothing in it is not sent
          }
        }
      } else if (type === 'content_block_stop') {
        const b = kinds.get(index);
        const text = channels.end(channelOf(index)?.key ?? '');
        if (text && b) yield { event: 'content_block_delta', data: flushDelta(index, b.kind, text) };
      } else if (type === 'error') {
        // The upstream's own error ends the answer: what was held goes before it.
        yield* held(channels.endAllOnFailure());
      }
      yield ev;
    }
  } catch (err) {
    yield* held(channels.endAllOnFailure());
    throw err;
  }
  // A stream that ended without closing its blocks still gets what was held (egress adds the error).
  yield* held(channels.endAll());
}

function flushDelta(index: number, kind: BlockKind, text: string): JsonObject {
  const delta: JsonObject = kind === 'text' ? { type: 'text_delta', text } : kind === 'thinking' ? { type: 'thinking_delta', thinking: text } : { type: 'input_json_delta', partial_json: text };
  return { type: 'content_block_delta', index, delta };
}
