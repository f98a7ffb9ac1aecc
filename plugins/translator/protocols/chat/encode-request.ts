// IR → a Chat Completions request for any OpenAI-compatible upstream. What Chat cannot carry is
// left out on purpose: cache hints, top_k, tool-result errors and images, stop-sequence identity.
import type { JsonObject, JsonValue } from '../../../../core/index.js';
import type { IrEffort, IrMessage, IrPart, IrReasoning, IrRequest, IrResultContent, IrText, IrToolChoice } from '../../ir.js';
import { documentToChat, imageToChat } from './content.js';
import { effortFor, fittedMaxTokens, penaltyFor, samplingFor, stopFor, takesReasoningEffort, takesVerbosity } from '../../openai-models.js';
import { openAIToolSchema } from '../../openai-tool-schema.js';
import { chatToolIdFor } from '../../tool-call-ids.js';
import { openaiUser } from '../../util.js';
import { reasoningDetailsFromIr, toolCallSignatureField } from './provider-state.js';
import { textAfterToolsFolded } from './role-order.js';
import { takesSystemOnlyFirst } from '../../strict-servers.js';

export function encodeChatRequest(req: IrRequest): JsonObject {
  const messages: JsonObject[] = [];
  // Some servers' templates take a system message only first (strict-servers.ts).
  const inPlace = !takesSystemOnlyFirst(req.model);
  const system = inPlace ? req.system : [...req.system, ...req.messages.flatMap((m) => (m.role === 'system' ? m.parts.filter((p): p is IrText => p.type === 'text') : []))];
  if (system.length > 0) messages.push({ role: 'system', content: joinText(system) });
  const toolId = chatToolIdFor(req.model);
  for (const m of req.messages) if (inPlace || m.role !== 'system') encodeMessage(m, messages, toolId);

  // Strict servers take no user message after a tool message (role-order.ts).
  const body: JsonObject = { model: req.model, messages: textAfterToolsFolded(messages, req.model) };
  if (req.tools.length > 0) {
    body['tools'] = req.tools.map((t) => {
      const fn: JsonObject = { name: t.name };
      if (t.description !== undefined) fn['description'] = t.description;
      fn['parameters'] = openAIToolSchema(t.parameters);
      if (t.strict !== undefined) fn['strict'] = t.strict;
      return { type: 'function', function: fn };
    });
    // OpenAI rejects tool_choice and parallel_tool_calls when no tools are declared.
    if (req.toolChoice !== undefined) body['tool_choice'] = encodeToolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body['parallel_tool_calls'] = req.parallelToolCalls;
  }
  // Never above the model's largest output: OpenAI refuses more (openai-models.ts).
  if (req.maxTokens !== undefined) body['max_completion_tokens'] = fittedMaxTokens(req.model, req.maxTokens);
  // OpenAI's models without reasoning refuse the parameter outright (openai-models.ts).
  const asked = req.reasoning && takesReasoningEffort(req.model) ? reasoningEffort(req.reasoning) : undefined;
  const effort = asked === undefined ? undefined : effortFor(req.model, asked);
  if (effort !== undefined) body['reasoning_effort'] = effort;
  // Reasoning models take only the default sampling (openai-models.ts).
  const temperature = req.temperature === undefined ? undefined : samplingFor(req.model, req.temperature, effort);
  if (temperature !== undefined) body['temperature'] = temperature;
  const topP = req.topP === undefined ? undefined : samplingFor(req.model, req.topP, effort);
  if (topP !== undefined) body['top_p'] = topP;
  if (req.verbosity !== undefined && takesVerbosity(req.model)) body['verbosity'] = req.verbosity;
  if (req.seed !== undefined) body['seed'] = req.seed;
  // Reasoning models refuse penalties as they refuse temperature (openai-models.ts).
  const presence = req.presencePenalty === undefined ? undefined : penaltyFor(req.model, req.presencePenalty, effort);
  if (presence !== undefined) body['presence_penalty'] = presence;
  const frequency = req.frequencyPenalty === undefined ? undefined : penaltyFor(req.model, req.frequencyPenalty, effort);
  if (frequency !== undefined) body['frequency_penalty'] = frequency;
  // Reasoning models refuse stop sequences, the others take four (openai-models.ts).
  const stop = stopFor(req.model, req.stop, effort);
  if (stop.length > 0) body['stop'] = stop;
  if (req.responseFormat) {
    const f = req.responseFormat;
    if (f.type === 'json_schema') {
      const js: JsonObject = { name: f.name ?? 'response', schema: f.schema ?? { type: 'object' } };
      if (f.strict !== undefined) js['strict'] = f.strict;
      body['response_format'] = { type: 'json_schema', json_schema: js };
    } else {
      body['response_format'] = { type: f.type };
    }
  }
  if (req.user !== undefined) body['user'] = openaiUser(req.user);
  if (req.stream) {
    // Always ask for usage: the gateway accounts every stream; egress strips it if the client did not ask.
    body['stream'] = true;
    body['stream_options'] = { include_usage: true };
  }
  return body;
}

function encodeMessage(m: IrMessage, out: JsonObject[], toolId: (id: string) => string): void {
  switch (m.role) {
    case 'system':
      out.push({ role: 'system', content: joinText(m.parts.filter((p): p is IrText => p.type === 'text')) });
      return;
    case 'assistant':
      out.push(encodeAssistant(m.parts, toolId));
      return;
    case 'user': {
      // Tool results become `tool` messages, which must directly follow the assistant's tool calls.
      const rest: IrResultContent[] = [];
      for (const p of m.parts) {
        if (p.type === 'tool_result') {
          // Chat tool messages hold text only, and have no error flag (isError is dropped). A tool's
          // images and PDFs (a screenshot, a file read) go in the user message after the tool
          // messages, the one place Chat takes them, rather than never reaching the model.
          out.push({ role: 'tool', tool_call_id: toolId(p.callId), content: joinText(p.content.filter((c): c is IrText => c.type === 'text')) });
          for (const c of p.content) if (c.type !== 'text') rest.push(c);
        } else if (p.type === 'text' || p.type === 'image' || p.type === 'document') {
          rest.push(p);
        }
      }
      const content = rest.flatMap((p): JsonObject[] => {
        // Chat takes a PDF by its bytes only (`file_data`): one given by URL is not sent (unsent.ts).
        const part = p.type === 'text' ? { type: 'text', text: p.text } : p.type === 'image' ? imageToChat(p) : documentToChat(p);
        return part ? [part] : [];
      });
      const only = rest.length === 1 ? rest[0] : undefined;
      if (content.length === 0) {
        if (!m.parts.some((p) => p.type === 'tool_result')) out.push({ role: 'user', content: '' });
        return;
      }
      out.push({ role: 'user', content: only?.type === 'text' ? only.text : content });
      return;
    }
  }
}

function encodeAssistant(parts: IrPart[], toolId: (id: string) => string): JsonObject {
  let text = '';
  let reasoning = '';
  const toolCalls: JsonObject[] = [];
  for (const p of parts) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'thinking') reasoning += p.text;
    else if (p.type === 'tool_call') {
      const call: JsonObject = { id: toolId(p.id), type: 'function', function: { name: p.name, arguments: p.arguments } };
      if (p.signature !== undefined) call['extra_content'] = toolCallSignatureField(p.signature);
      toolCalls.push(call);
    }
  }
  const msg: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (reasoning !== '') msg['reasoning_content'] = reasoning;
  // Only histories that came from a signing upstream carry this; OpenRouter reads it back.
  const details = reasoningDetailsFromIr(parts);
  if (details) msg['reasoning_details'] = details;
  if (toolCalls.length > 0) msg['tool_calls'] = toolCalls;
  return msg;
}

function joinText(parts: readonly IrText[]): string {
  return parts.map((p) => p.text).join('\n\n');
}

function encodeToolChoice(choice: IrToolChoice): JsonValue {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Chat knows efforts only: a budget-only request gets the effort whose budget it is nearest. */
function reasoningEffort(r: IrReasoning): string | undefined {
  if (!r.enabled) return r.effort === 'none' ? 'none' : undefined;
  if (r.effort !== undefined) return effortName(r.effort);
  if (r.budgetTokens !== undefined) return r.budgetTokens < 4096 ? 'low' : r.budgetTokens < 16384 ? 'medium' : 'high';
  return undefined;
}

function effortName(e: IrEffort): string {
  switch (e) {
    case 'xhigh': case 'max': return 'high';
    default: return e;
  }
}
