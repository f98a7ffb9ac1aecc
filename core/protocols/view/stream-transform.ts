// One entry for stream transforms: a plugin wraps a response's events without knowing its protocol.
import { protocolName, type Protocol, type StreamEvent } from '../types.js';
import { transformAnthropicStream } from './stream-anthropic.js';
import { transformGeminiStream } from './stream-gemini.js';
import { transformChatStream, transformResponsesStream } from './stream-openai.js';
import type { DeltaTransform } from './types.js';

/**
 * The same events with every text, reasoning and tool-argument delta passed through `transform`.
 * Text a transform holds back is emitted in its place: before its channel closes, before the next
 * piece of another kind or the signature that ends it, or when the stream ends.
 */
export function transformStream(protocol: Protocol, events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncIterable<StreamEvent> {
  switch (protocolName(protocol)) {
    case 'openai.chat': return transformChatStream(events, transform);
    case 'openai.responses': return transformResponsesStream(events, transform);
    case 'anthropic.messages': return transformAnthropicStream(events, transform);
    case 'gemini.generate': return transformGeminiStream(events, transform);
    default: return events; // count_tokens, embeddings and model lists do not stream
  }
}
