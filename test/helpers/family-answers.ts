// What a model answers in each family's own wire format, JSON and SSE: text (in pieces, for
// streams) and optionally one `lookup` tool call whose arguments arrive in pieces too. Mock
// upstreams answer with these so the official SDKs judge what reaches the client.
import type { GenProtocol } from './translation-rig.js';

export interface AnswerSpec {
  model: string;
  /** The text, in the pieces a stream sends it in (joined for JSON answers). */
  text: string[];
  /** The tool call's arguments as JSON text, in the pieces a stream sends them in (Gemini sends them whole). */
  args?: string[];
}

const USAGE = { input: 5, output: 3 };
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** The JSON body of a non-streamed answer. */
export function jsonAnswer(p: GenProtocol, a: AnswerSpec): Record<string, unknown> {
  const text = a.text.join('');
  const args = a.args?.join('');
  switch (p) {
    case 'openai.chat':
      return {
        id: 'chatcmpl-mock', object: 'chat.completion', created: 1700000000, model: a.model,
        choices: [{
          index: 0, logprobs: null, finish_reason: args === undefined ? 'stop' : 'tool_calls',
          message: { role: 'assistant', content: text, refusal: null, ...(args === undefined ? {} : { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: args } }] }) },
        }],
        usage: { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output },
      };
    case 'openai.responses':
      return responsesObject(a.model, 'completed', [messageItem(text), ...(args === undefined ? [] : [functionCallItem(args, 'completed')])]);
    case 'anthropic.messages':
      return {
        id: 'msg_mock', type: 'message', role: 'assistant', model: a.model,
        content: [{ type: 'text', text }, ...(args === undefined ? [] : [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: JSON.parse(args) as unknown }])],
        stop_reason: args === undefined ? 'end_turn' : 'tool_use', stop_sequence: null,
        usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
      };
    case 'gemini.generate':
      return {
        candidates: [{ content: { role: 'model', parts: [{ text }, ...(args === undefined ? [] : [{ functionCall: { name: 'lookup', args: JSON.parse(args) as unknown } }])] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: geminiUsage(), modelVersion: a.model,
      };
  }
}

/** The SSE text of a streamed answer, each piece its own event. */
export function streamAnswer(p: GenProtocol, a: AnswerSpec, opts: { includeUsage?: boolean } = {}): string {
  switch (p) {
    case 'openai.chat': return chatStream(a, opts.includeUsage === true);
    case 'openai.responses': return responsesStream(a);
    case 'anthropic.messages': return messagesStream(a);
    case 'gemini.generate': return geminiStream(a);
  }
}

function chatStream(a: AnswerSpec, includeUsage: boolean): string {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: a.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });
  let out = chunk({ role: 'assistant', content: '' });
  for (const piece of a.text) out += chunk({ content: piece });
  if (a.args) {
    out += chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] });
    for (const piece of a.args) out += chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  }
  out += chunk({}, a.args ? 'tool_calls' : 'stop');
  if (includeUsage) {
    out += sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: a.model, choices: [], usage: { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output } });
  }
  return `${out}data: [DONE]\n\n`;
}

function messageItem(text: string, status = 'completed'): Record<string, unknown> {
  return { id: 'msg_mock', type: 'message', role: 'assistant', status, content: status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [] };
}
function functionCallItem(args: string, status: string): Record<string, unknown> {
  return { id: 'fc_mock', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: args, status };
}
function responsesObject(model: string, status: string, output: unknown[]): Record<string, unknown> {
  return {
    id: 'resp_mock', object: 'response', created_at: 1700000000, status, model, output, error: null, incomplete_details: null,
    instructions: null, parallel_tool_calls: true, tool_choice: 'auto', tools: [], text: { format: { type: 'text' } },
    usage: status === 'completed'
      ? { input_tokens: USAGE.input, input_tokens_details: { cached_tokens: 0 }, output_tokens: USAGE.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: USAGE.input + USAGE.output }
      : null,
  };
}

function responsesStream(a: AnswerSpec): string {
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...fields }, type);
  const text = a.text.join('');
  const args = a.args?.join('');
  let out = ev('response.created', { response: responsesObject(a.model, 'in_progress', []) })
    + ev('response.in_progress', { response: responsesObject(a.model, 'in_progress', []) })
    + ev('response.output_item.added', { output_index: 0, item: messageItem('', 'in_progress') })
    + ev('response.content_part.added', { item_id: 'msg_mock', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
  for (const piece of a.text) out += ev('response.output_text.delta', { item_id: 'msg_mock', output_index: 0, content_index: 0, delta: piece, logprobs: [] });
  out += ev('response.output_text.done', { item_id: 'msg_mock', output_index: 0, content_index: 0, text, logprobs: [] })
    + ev('response.content_part.done', { item_id: 'msg_mock', output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } })
    + ev('response.output_item.done', { output_index: 0, item: messageItem(text) });
  if (args !== undefined) {
    out += ev('response.output_item.added', { output_index: 1, item: functionCallItem('', 'in_progress') });
    for (const piece of a.args!) out += ev('response.function_call_arguments.delta', { item_id: 'fc_mock', output_index: 1, delta: piece });
    out += ev('response.function_call_arguments.done', { item_id: 'fc_mock', output_index: 1, arguments: args })
      + ev('response.output_item.done', { output_index: 1, item: functionCallItem(args, 'completed') });
  }
  const output = [messageItem(text), ...(args === undefined ? [] : [functionCallItem(args, 'completed')])];
  return out + ev('response.completed', { response: responsesObject(a.model, 'completed', output) });
}

function messagesStream(a: AnswerSpec): string {
  const ev = (data: Record<string, unknown>) => sse(data, data['type'] as string);
  let out = ev({ type: 'message_start', message: { id: 'msg_mock', type: 'message', role: 'assistant', model: a.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } } })
    + ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  for (const piece of a.text) out += ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
  out += ev({ type: 'content_block_stop', index: 0 });
  if (a.args) {
    out += ev({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} } });
    for (const piece of a.args) out += ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: piece } });
    out += ev({ type: 'content_block_stop', index: 1 });
  }
  return out + ev({ type: 'message_delta', delta: { stop_reason: a.args ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: USAGE.output } })
    + ev({ type: 'message_stop' });
}

function geminiUsage(): Record<string, number> {
  return { promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, totalTokenCount: USAGE.input + USAGE.output };
}

function geminiStream(a: AnswerSpec): string {
  const chunk = (parts: unknown[], last: boolean) => sse({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
    ...(last ? { usageMetadata: geminiUsage() } : {}), modelVersion: a.model,
  });
  let out = '';
  a.text.forEach((piece, i) => { out += chunk([{ text: piece }], !a.args && i === a.text.length - 1); });
  // Gemini sends a function call whole, in the finishing chunk.
  if (a.args) out += chunk([{ functionCall: { name: 'lookup', args: JSON.parse(a.args.join('')) as unknown } }], true);
  return out;
}

/** Embedding answers: OpenAI's list, Gemini's single and batch shapes. */
export function embeddingAnswer(path: string, body: Record<string, unknown> | undefined): Record<string, unknown> {
  if (path.includes(':batchEmbedContents')) {
    const n = Array.isArray(body?.['requests']) ? body['requests'].length : 1;
    return { embeddings: Array.from({ length: n }, () => ({ values: [0.25, 0.5] })) };
  }
  if (path.includes(':embedContent')) return { embedding: { values: [0.25, 0.5] } };
  const input = body?.['input'];
  const n = Array.isArray(input) ? input.length : 1;
  return {
    object: 'list', model: body?.['model'] ?? 'mock',
    data: Array.from({ length: n }, (_, index) => ({ object: 'embedding', index, embedding: [0.25, 0.5] })),
    usage: { prompt_tokens: 2, total_tokens: 2 },
  };
}
