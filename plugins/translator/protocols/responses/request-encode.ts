// IR → Responses request body, for when OpenAI's Responses API is the upstream. Sluice keeps no
// state, so the request is always self-contained: `store: false`, and reasoning is carried between
// turns as encrypted_content on reasoning input items.
import type { JsonObject, JsonValue } from '../../../../core/index.js';
import type { IrDocument, IrEffort, IrImage, IrMessage, IrReasoning, IrRequest, IrResultContent } from '../../ir.js';
import { pdfDataUrl, pdfFilename } from '../../documents.js';
import { effortFor, fittedMaxTokens, samplingFor, takesReasoningEffort, takesVerbosity } from '../../openai-models.js';
import { responsesCallId } from '../../tool-call-ids.js';
import { openaiUser } from '../../util.js';
import { openAIToolSchema } from '../../openai-tool-schema.js';
import { customInput, freeformNames, instructionsText, toolChoiceToWire, toolToWire } from './wire.js';

export function encodeResponsesRequest(request: IrRequest): JsonObject {
  const freeform = freeformNames(request.tools);
  const body: JsonObject = { model: request.model };
  const instructions = instructionsText(request);
  if (instructions !== undefined) body['instructions'] = instructions;
  const state = { freeform, callKinds: new Map<string, 'function' | 'custom'>(), reasoning: false };
  const input: JsonValue[] = [];
  for (const m of request.messages) input.push(...encodeMessage(m, state));
  body['input'] = input;
  // OpenAI's schema rules for tool parameters (openai-tool-schema.ts); the response object keeps the client's.
  if (request.tools.length) body['tools'] = request.tools.map((t) => toolToWire(t.freeform ? t : { ...t, parameters: openAIToolSchema(t.parameters) }));
  if (request.toolChoice !== undefined) body['tool_choice'] = toolChoiceToWire(request.toolChoice, freeform);
  if (request.parallelToolCalls !== undefined) body['parallel_tool_calls'] = request.parallelToolCalls;
  // Never above the model's largest output: OpenAI refuses more (openai-models.ts).
  if (request.maxTokens !== undefined) body['max_output_tokens'] = fittedMaxTokens(request.model, request.maxTokens);
  // OpenAI's models without reasoning refuse `reasoning` outright (openai-models.ts).
  const reasoning = request.reasoning && takesReasoningEffort(request.model) ? encodeReasoning(request.reasoning, request.model) : undefined;
  // Reasoning models take only the default sampling (openai-models.ts).
  const temperature = request.temperature === undefined ? undefined : samplingFor(request.model, request.temperature, effortOf(reasoning));
  if (temperature !== undefined) body['temperature'] = temperature;
  const topP = request.topP === undefined ? undefined : samplingFor(request.model, request.topP, effortOf(reasoning));
  if (topP !== undefined) body['top_p'] = topP;
  if (reasoning) body['reasoning'] = reasoning;
  // Without store, encrypted reasoning is the only way the next turn can continue the model's
  // chain of thought; ask for it whenever reasoning is on or already part of the conversation.
  if (reasoning || state.reasoning) body['include'] = ['reasoning.encrypted_content'];
  if (request.responseFormat && request.responseFormat.type !== 'text') {
    const f = request.responseFormat;
    const format: JsonObject = f.type === 'json_object' ? { type: 'json_object' } : { type: 'json_schema', name: f.name ?? 'response' };
    if (f.type === 'json_schema') {
      format['schema'] = f.schema ?? { type: 'object' };
      if (f.strict !== undefined) format['strict'] = f.strict;
    }
    body['text'] = { format };
  }
  if (request.verbosity !== undefined && takesVerbosity(request.model)) body['text'] = { ...(body['text'] as JsonObject | undefined), verbosity: request.verbosity };
  if (request.user !== undefined) body['user'] = openaiUser(request.user);
  body['store'] = false;
  body['stream'] = request.stream;
  return body;
}

interface EncodeState {
  freeform: Set<string>;
  /** Which kind each call was, so its output goes back as the matching *_output item. */
  callKinds: Map<string, 'function' | 'custom'>;
  reasoning: boolean;
}

function encodeMessage(m: IrMessage, state: EncodeState): JsonValue[] {
  const items: JsonValue[] = [];
  // Consecutive text/image parts form one message item; calls and results are items of their own.
  let content: JsonValue[] = [];
  const role = m.role === 'system' ? 'developer' : m.role;
  const flush = (): void => {
    if (content.length) items.push({ type: 'message', role, content });
    content = [];
  };
  for (const p of m.parts) {
    switch (p.type) {
      case 'text':
        content.push({ type: role === 'assistant' ? 'output_text' : 'input_text', text: p.text });
        break;
      case 'image':
        if (role !== 'assistant') content.push(imageToWire(p));
        break;
      case 'document':
        if (role !== 'assistant') content.push(documentToWire(p));
        break;
      case 'thinking':
        // Only encrypted reasoning can be replayed; bare reasoning text from another provider has no
        // input form OpenAI accepts.
        if (p.signature === undefined) break;
        flush();
        items.push({
          type: 'reasoning', summary: p.text ? [{ type: 'summary_text', text: p.text }] : [], encrypted_content: p.signature,
        });
        state.reasoning = true;
        break;
      case 'redacted_thinking':
        break; // Anthropic-only; Responses cannot take it back
      case 'tool_call': {
        flush();
        const custom = state.freeform.has(p.name);
        state.callKinds.set(p.id, custom ? 'custom' : 'function');
        items.push(custom
          ? { type: 'custom_tool_call', call_id: responsesCallId(p.id), name: p.name, input: customInput(p.arguments) }
          : { type: 'function_call', call_id: responsesCallId(p.id), name: p.name, arguments: p.arguments });
        break;
      }
      case 'tool_result': {
        flush();
        const kind = state.callKinds.get(p.callId) ?? (p.name !== undefined && state.freeform.has(p.name) ? 'custom' : 'function');
        // Responses has no error flag on outputs: the error text itself tells the model.
        items.push({ type: kind === 'custom' ? 'custom_tool_call_output' : 'function_call_output', call_id: responsesCallId(p.callId), output: outputToWire(p.content) });
        break;
      }
    }
  }
  flush();
  return items;
}

function outputToWire(content: IrResultContent[]): JsonValue {
  if (content.every((c) => c.type === 'text')) return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return content.map((c) => (c.type === 'text' ? { type: 'input_text', text: c.text } : c.type === 'image' ? imageToWire(c) : documentToWire(c)));
}

/** A PDF as `input_file`: by its bytes (a data URL, with the filename OpenAI asks for) or by URL. */
function documentToWire(doc: IrDocument): JsonObject {
  if (doc.source.kind === 'url') return doc.filename === undefined ? { type: 'input_file', file_url: doc.source.url } : { type: 'input_file', file_url: doc.source.url, filename: doc.filename };
  return { type: 'input_file', filename: pdfFilename(doc), file_data: pdfDataUrl(doc.source.data) };
}

function imageToWire(image: IrImage): JsonObject {
  const url = image.source.kind === 'url' ? image.source.url : `data:${image.source.mediaType};base64,${image.source.data}`;
  return { type: 'input_image', image_url: url, detail: image.detail ?? 'auto' };
}

function encodeReasoning(r: IrReasoning, model: string): JsonObject | undefined {
  // Turning reasoning off is left to the model's default: not every reasoning model accepts `none`.
  if (!r.enabled) return undefined;
  const out: JsonObject = {};
  const effort = r.effort ?? (r.budgetTokens !== undefined ? effortForBudget(r.budgetTokens) : undefined);
  if (effort !== undefined) out['effort'] = effortFor(model, effort === 'max' ? 'xhigh' : effort);
  if (r.includeThoughts) out['summary'] = 'auto';
  return out;
}

/** Anthropic/Gemini token budgets mapped to the nearest effort level. */
function effortForBudget(budget: number): IrEffort {
  if (budget <= 0) return 'minimal';
  if (budget <= 2048) return 'low';
  if (budget <= 16384) return 'medium';
  return 'high';
}


/** The effort a `reasoning` object asks for, when it asks for one. */
function effortOf(reasoning: JsonObject | undefined): string | undefined {
  const effort = reasoning?.['effort'];
  return typeof effort === 'string' ? effort : undefined;
}
