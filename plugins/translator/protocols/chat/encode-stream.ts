// IR stream → Chat Completions chunks as OpenAI sends them: a role chunk, deltas, then — only
// once the IR stream has ended, because usage often follows `finish` — `{}` as the arguments of
// any call that got none (as the non-streamed answer has them), the finish_reason chunk and, when
// the client asked for it, the `choices: []` usage chunk. Signed reasoning: see stream-reasoning.ts.
import { mergeUsage, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrStopReason, IrStreamEvent } from '../../ir.js';
import { isCompleteJson, mintId } from '../../util.js';
import { finishReasonFromIr } from './finish-reason.js';
import { customToolCall, freeformToolNames } from './freeform.js';
import { toolCallSignatureField } from './provider-state.js';
import { StreamedReasoning } from './stream-reasoning.js';
import { usageFromIr } from './usage.js';

export async function* encodeChatStream(events: AsyncIterable<IrStreamEvent>, ctx: EncodeContext): AsyncIterable<StreamEvent> {
  const id = mintId('chatcmpl', ctx.requestId);
  const chunk = (delta: JsonObject, finishReason: string | null = null): StreamEvent => ({
    data: {
      id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.clientModel,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    },
  });

  const customChunk = (index: number, c: { id: string; name: string; args: string }): StreamEvent =>
    chunk({ tool_calls: [{ index, ...customToolCall(c.id, c.name, c.args) }] });

  let opened = false;
  let usage: Usage | undefined;
  let stopReason: IrStopReason | undefined;
  let sawToolCall = false;
  /** Calls of the client's custom tools: sent whole once their `{"input": …}` JSON is complete. */
  const freeform = freeformToolNames(ctx.request);
  const pendingCustom = new Map<number, { id: string; name: string; args: string }>();
  /** Per function call, whether any non-blank arguments were sent: one that got none is given `{}` at the end. */
  const sentArgs = new Map<number, boolean>();
  const reasoning = new StreamedReasoning();
  /** The reasoning_details chunk of the run just ended, if anything in it was signed. */
  const endReasoningRun = (): StreamEvent | undefined => {
    const details = reasoning.flush();
    return details ? chunk({ reasoning_details: details }) : undefined;
  };

  for await (const ev of events) {
    // The role chunk waits for the upstream's first event, so an upstream that fails at once
    // fails before the client has seen a byte.
    if (!opened) { opened = true; yield chunk({ role: 'assistant', content: '' }); }
    switch (ev.type) {
      case 'text_delta': {
        if (!ev.text) break;
        const details = endReasoningRun();
        if (details) yield details;
        yield chunk({ content: ev.text });
        break;
      }
      case 'thinking_delta':
        if (!ev.text) break;
        reasoning.text(ev.text);
        yield chunk({ reasoning_content: ev.text });
        break;
      case 'thinking_signature':
        reasoning.signature(ev.signature);
        break;
      case 'redacted_thinking':
        reasoning.redacted(ev.data);
        break;
      case 'tool_call_start': {
        sawToolCall = true;
        const details = endReasoningRun();
        if (details) yield details;
        if (freeform.has(ev.name)) { pendingCustom.set(ev.index, { id: ev.id, name: ev.name, args: '' }); break; }
        if (sentArgs.has(ev.index)) break; // the IR may repeat a start; the first one wins
        sentArgs.set(ev.index, false);
        const call: JsonObject = { index: ev.index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } };
        if (ev.signature !== undefined) call['extra_content'] = toolCallSignatureField(ev.signature);
        yield chunk({ tool_calls: [call] });
        break;
      }
      case 'tool_call_delta': {
        const custom = pendingCustom.get(ev.index);
        if (custom) {
          custom.args += ev.arguments;
          if (isCompleteJson(custom.args)) { pendingCustom.delete(ev.index); yield customChunk(ev.index, custom); }
          break;
        }
        const sent = sentArgs.get(ev.index);
        if (!ev.arguments || sent === undefined) break;
        if (!sent && /\S/.test(ev.arguments)) sentArgs.set(ev.index, true);
        yield chunk({ tool_calls: [{ index: ev.index, function: { arguments: ev.arguments } }] });
        break;
      }
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        break;
      case 'finish':
        stopReason = ev.stopReason;
        break;
      case 'start':
        break;
    }
  }

  if (!opened) yield chunk({ role: 'assistant', content: '' });
  const details = endReasoningRun();
  if (details) yield details;
  for (const [index, custom] of pendingCustom) yield customChunk(index, custom);
  // Clients JSON.parse what they gathered: `{}` (after any whitespace sent) makes it an object.
  for (const [index, sent] of sentArgs) if (!sent) yield chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] });
  yield chunk({}, finishReasonFromIr(stopReason ?? (sawToolCall ? 'tool_use' : 'end_turn')));
  if (ctx.includeUsage) {
    const reported = usage ?? { ...emptyEstimate(), inputTokens: ctx.estimatedInputTokens };
    yield {
      data: { id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.clientModel, choices: [], usage: usageFromIr(reported) },
    };
  }
}

function emptyEstimate(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true };
}
