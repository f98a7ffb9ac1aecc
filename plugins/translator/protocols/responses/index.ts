// The OpenAI Responses API codec (what Codex CLI speaks), as client and as upstream protocol.
import type { ProtocolCodec } from '../../codec.js';
import { decodeResponsesRequest } from './request-decode.js';
import { encodeResponsesRequest } from './request-encode.js';
import { decodeResponsesResponse } from './response-decode.js';
import { RESPONSES_PROTOCOL } from './wire.js';
import { encodeResponsesResponse } from './response-encode.js';
import { decodeResponsesStream } from './stream-decode.js';
import { encodeResponsesStream } from './stream-encode.js';
import { responsesUnsentFields, RESPONSES_UNSENT_NAMES } from './unsent.js';

export const openaiResponses: ProtocolCodec = {
  protocol: RESPONSES_PROTOCOL,
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  unsentFields: responsesUnsentFields,
  unsentNames: RESPONSES_UNSENT_NAMES,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  decodeStream: decodeResponsesStream,
  encodeStream: encodeResponsesStream,
};
