// IR → Gemini GenerateContentResponse (Gemini as the client protocol).
import type { JsonObject } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrResponse } from '../../ir.js';
import { mintId } from '../../util.js';
import { stopReasonToGemini } from './finish.js';
import { encodeParts } from './parts-encode.js';
import { shownThoughts, thoughtsWanted, withoutThoughts } from './thinking.js';
import { usageToGemini } from './usage.js';

export function encodeGeminiResponse(response: IrResponse, ctx: EncodeContext): JsonObject {
  const parts = thoughtsWanted(ctx.request) ? shownThoughts(response.parts) : withoutThoughts(response.parts);
  return {
    candidates: [{
      content: { role: 'model', parts: encodeParts(parts, new Map()) },
      finishReason: stopReasonToGemini(response.stopReason),
      index: 0,
    }],
    usageMetadata: usageToGemini(response.usage),
    modelVersion: ctx.clientModel,
    responseId: response.id || mintId('resp', ctx.requestId),
  };
}
