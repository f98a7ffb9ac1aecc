// The OpenAI Chat Completions codec: Chat as the client's protocol and as the upstream's.
import type { ProtocolCodec } from '../../codec.js';
import { decodeChatRequest } from './decode-request.js';
import { decodeChatResponse } from './decode-response.js';
import { decodeChatStream } from './decode-stream.js';
import { encodeChatRequest } from './encode-request.js';
import { encodeChatResponse } from './encode-response.js';
import { encodeChatStream } from './encode-stream.js';
import { chatUnsentFields, CHAT_UNSENT_NAMES } from './unsent.js';

export const openaiChat: ProtocolCodec = {
  protocol: { family: 'openai', operation: 'chat' },
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  unsentFields: chatUnsentFields,
  unsentNames: CHAT_UNSENT_NAMES,
  decodeResponse: decodeChatResponse,
  encodeResponse: encodeChatResponse,
  decodeStream: decodeChatStream,
  encodeStream: encodeChatStream,
};
