// IR events → Gemini SSE chunks (Gemini as the client protocol: Gemini CLI and @google/genai).
// Each chunk is a whole GenerateContentResponse; text streams as it comes, but Gemini function
// calls are never split, so a call is held until its arguments are complete JSON.
import { mergeUsage, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrStopReason, IrStreamEvent } from '../../ir.js';
import { isCompleteJson, mintId, parseArguments } from '../../util.js';
import { stopReasonToGemini } from './finish.js';
import { isGeminiSignature, packsWithThoughts, thoughtsWanted } from './thinking.js';
import { isHidden, packHidden } from '../../hidden-reasoning.js';
import { usageToGemini } from './usage.js';

interface PendingCall { id: string; name: string; args: string; signature?: string; sent: boolean }

export async function* encodeGeminiStream(events: AsyncIterable<IrStreamEvent>, ctx: EncodeContext): AsyncIterable<StreamEvent> {
  let responseId = mintId('resp', ctx.requestId);
  let sentAny = false;
  const calls: PendingCall[] = [];
  let stopReason: IrStopReason | undefined;
  let usage: Usage | undefined;
  // Reasoning text (and another family's signature) only for a client that asked (thinking.ts).
  const thoughts = thoughtsWanted(ctx.request);
  /** Reasoning text left out since the last signature: that signature goes too (thinking.ts). */
  let hidden = false;
  /** Thought text shown since the last signature, packed with it for the first call (shownThoughts). */
  let shown = '';
  /** That packed reasoning, for the answer's first call; whether a call has started. */
  let forCall: string | undefined;
  let callSeen = false;
  /**
   * Reasoning the client was not shown, packed (hidden-reasoning.ts), never a thought: it goes as
   * the signature of the answer's first function call, where Google puts its own when the answer
   * has calls (clients keep a call's signature; Gemini CLI drops those of text parts), or on an
   * empty text part at the end when no call came (Google's form for a closing signature).
   */
  let pending: string | undefined;
  const signed = (part: JsonObject): JsonObject => {
    if (pending === undefined || part['thoughtSignature'] !== undefined) return part;
    const out = { ...part, thoughtSignature: pending };
    pending = undefined;
    return out;
  };

  const chunk = (parts: JsonObject[], terminal?: { finishReason: string; usageMetadata: JsonObject }): StreamEvent => {
    sentAny = true;
    const candidate: JsonObject = { content: { role: 'model', parts } };
    if (terminal) candidate['finishReason'] = terminal.finishReason;
    candidate['index'] = 0;
    const data: JsonObject = { candidates: [candidate] };
    if (terminal) data['usageMetadata'] = terminal.usageMetadata;
    data['modelVersion'] = ctx.clientModel;
    data['responseId'] = responseId;
    return { data };
  };
  /** Calls whose arguments are complete, in the order they started (all of them at the end). */
  const readyCalls = (all: boolean): JsonObject[] => {
    const parts: JsonObject[] = [];
    for (const c of calls) {
      if (c.sent || (!all && !isCompleteJson(c.args))) continue;
      c.sent = true;
      const part: JsonObject = { functionCall: { id: c.id, name: c.name, args: parseArguments(c.args) } };
      if (c.signature !== undefined) part['thoughtSignature'] = c.signature;
      else if (forCall !== undefined) part['thoughtSignature'] = forCall;
      forCall = undefined;
      parts.push(signed(part));
    }
    return parts;
  };

  for await (const ev of events) {
    switch (ev.type) {
      case 'start':
        if (ev.id && !sentAny) responseId = ev.id;
        break;
      case 'text_delta':
      case 'thinking_delta': {
        if (ev.type === 'thinking_delta' && !thoughts) { hidden ||= ev.text !== ''; break; }
        if (ev.type === 'thinking_delta') shown += ev.text;
        // Calls that finished before this text go first, so the client sees the parts in order.
        const ready = readyCalls(false);
        if (ready.length) yield chunk(ready);
        if (ev.text !== '') yield chunk([ev.type === 'text_delta' ? { text: ev.text } : { text: ev.text, thought: true }]);
        break;
      }
      case 'thinking_signature': {
        const text = shown;
        shown = '';
        // Shown thoughts of another family ride packed with their text on the first call too, where
        // Google signs an answer with calls: clients keep that signature, some drop thoughts (shownThoughts).
        if (thoughts && forCall === undefined && !callSeen && packsWithThoughts(ev.signature)) forCall = packHidden(text, ev.signature);
        if (isHidden(ev.signature)) {
          // A second reasoning block before any call: the first goes on a part of its own.
          if (pending !== undefined) yield chunk([{ text: '', thoughtSignature: pending }]);
          pending = ev.signature;
          break;
        }
        if (hidden) {
          hidden = false;
          if (!isGeminiSignature(ev.signature)) break;
        }
        yield chunk([{ text: '', thought: true, thoughtSignature: ev.signature }]);
        break;
      }
      case 'redacted_thinking':
        break; // encrypted reasoning of another provider: a Gemini client cannot send it anywhere useful
      case 'tool_call_start': {
        // Some decoders repeat a call's start when its name is repeated in later deltas: one call it stays.
        if (calls[ev.index]) break;
        const ready = readyCalls(false);
        if (ready.length) yield chunk(ready);
        // Unsigned reasoning (a Chat server's reasoning_content) has no signature event: it goes with the call.
        if (thoughts && forCall === undefined && !callSeen && shown !== '') forCall = packHidden(shown, undefined);
        callSeen = true;
        const call: PendingCall = { id: ev.id, name: ev.name, args: '', sent: false };
        if (ev.signature !== undefined) call.signature = ev.signature;
        calls[ev.index] = call;
        break;
      }
      case 'tool_call_delta': {
        const call = calls[ev.index];
        if (call && !call.sent) call.args += ev.arguments;
        break;
      }
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        break;
      case 'finish':
        stopReason = ev.stopReason;
        break;
    }
  }

  // The terminal chunk: the calls still held, the finish reason and the final usage, together.
  const rest = readyCalls(true);
  // Hidden reasoning no call followed: an empty text part of its own, Google's form for a closing
  // signature — in a chunk before the terminal one, which Gemini CLI must find valid (see below).
  if (pending !== undefined) yield chunk([{ text: '', thoughtSignature: pending }]);
  const finalUsage = usage ?? { inputTokens: ctx.estimatedInputTokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true };
  const reason = stopReason ?? (calls.length ? 'tool_use' : 'end_turn');
  // Empty parts, not an empty text part: Gemini CLI rejects a chunk whose only part is `{text: ""}`.
  yield chunk(rest, { finishReason: stopReasonToGemini(reason), usageMetadata: usageToGemini(finalUsage) });
}
