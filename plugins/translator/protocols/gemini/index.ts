// The Gemini native codec: generateContent / streamGenerateContent, as Gemini CLI and @google/genai speak it.
import type { ProtocolCodec } from '../../codec.js';
import { decodeGeminiRequest } from './request-decode.js';
import { encodeGeminiRequest } from './request-encode.js';
import { decodeGeminiResponse } from './response-decode.js';
import { encodeGeminiResponse } from './response-encode.js';
import { decodeGeminiStream } from './stream-decode.js';
import { encodeGeminiStream } from './stream-encode.js';
import { geminiUnsentFields, GEMINI_UNSENT_NAMES } from './unsent.js';

export const geminiGenerate: ProtocolCodec = {
  protocol: { family: 'gemini', operation: 'generate' },
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  unsentFields: geminiUnsentFields,
  unsentNames: GEMINI_UNSENT_NAMES,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  decodeStream: decodeGeminiStream,
  encodeStream: encodeGeminiStream,
};

export { SKIP_SIGNATURE } from './request-encode.js';
export {
  geminiEmbedToOpenAI, openAIEmbeddingsToGemini, openAIEmbeddingsToGeminiRequest, geminiEmbeddingsToOpenAI,
} from './embeddings.js';
