// The Anthropic Messages protocol codec: Anthropic as the client protocol and as the upstream.
import type { ProtocolCodec } from '../../codec.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse } from './response-decode.js';
import { encodeResponse } from './response-encode.js';
import { decodeStream } from './stream-decode.js';
import { encodeStream } from './stream-encode.js';
import { anthropicUnsentFields, ANTHROPIC_UNSENT_NAMES } from './unsent.js';

export const anthropicMessages: ProtocolCodec = {
  protocol: { family: 'anthropic', operation: 'messages' },
  decodeRequest,
  encodeRequest,
  unsentFields: anthropicUnsentFields,
  unsentNames: ANTHROPIC_UNSENT_NAMES,
  decodeResponse,
  encodeResponse,
  decodeStream,
  encodeStream,
};

export { DEFAULT_MAX_TOKENS } from './request-encode.js';
