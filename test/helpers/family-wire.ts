// Wire fragments of each upstream family, for mock upstreams that fail in the family's own format:
// error envelopes, the opening events of a stream, text deltas and in-stream error events.
import type { GenProtocol } from './translation-rig.js';

/** Which protocol a request to the mock speaks, from its path. */
export function protocolOfPath(url: string): GenProtocol {
  if (url.includes('/chat/completions')) return 'openai.chat';
  if (url.includes('/responses')) return 'openai.responses';
  if (url.includes('/messages')) return 'anthropic.messages';
  if (url.includes(':generateContent') || url.includes(':streamGenerateContent')) return 'gemini.generate';
  throw new Error(`mock: unexpected path ${url}`);
}

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

const ANTHROPIC_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };
const GEMINI_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const OPENAI_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'invalid_request_error', 429: 'requests', 500: 'server_error' };

/** The error body the family's real API sends for `status`. */
export function errorEnvelope(p: GenProtocol, status: number, message: string): Record<string, unknown> {
  switch (p) {
    case 'openai.chat':
    case 'openai.responses':
      return { error: { message, type: OPENAI_TYPES[status] ?? 'server_error', param: null, code: status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null } };
    case 'anthropic.messages':
      return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } };
    case 'gemini.generate':
      return { error: { code: status, message, status: GEMINI_STATUS[status] ?? 'INTERNAL' } };
  }
}

/** A stream in the family's format: opening events, then text deltas, then (optionally) an error event. */
export class FamilyStream {
  private seq = 0;
  constructor(readonly protocol: GenProtocol, readonly model = 'loopback') {}

  opening(): string {
    switch (this.protocol) {
      case 'openai.chat':
        return this.chat({ role: 'assistant', content: '' });
      case 'openai.responses': {
        const response = { id: 'resp_mock', object: 'response', created_at: 1700000000, status: 'in_progress', model: this.model, output: [], usage: null, error: null };
        const item = { id: 'msg_mock', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
        return this.responses('response.created', { response }) + this.responses('response.in_progress', { response })
          + this.responses('response.output_item.added', { output_index: 0, item })
          + this.responses('response.content_part.added', { item_id: 'msg_mock', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      }
      case 'anthropic.messages':
        return sse({ type: 'message_start', message: { id: 'msg_mock', type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }, 'message_start')
          + sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
      case 'gemini.generate':
        return '';
    }
  }

  delta(text: string): string {
    switch (this.protocol) {
      case 'openai.chat': return this.chat({ content: text });
      case 'openai.responses': return this.responses('response.output_text.delta', { item_id: 'msg_mock', output_index: 0, content_index: 0, delta: text, logprobs: [] });
      case 'anthropic.messages': return sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta');
      case 'gemini.generate': return sse({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }], modelVersion: this.model });
    }
  }

  /** The family's own in-stream failure (overloaded / server error). */
  error(message: string): string {
    switch (this.protocol) {
      case 'openai.chat': return sse({ error: { message, type: 'server_error', param: null, code: null } });
      case 'openai.responses': return this.responses('error', { code: 'server_error', message, param: null });
      case 'anthropic.messages': return sse({ type: 'error', error: { type: 'overloaded_error', message } }, 'error');
      case 'gemini.generate': return sse({ error: { code: 503, message, status: 'UNAVAILABLE' } });
    }
  }

  private chat(delta: Record<string, unknown>): string {
    return sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] });
  }

  private responses(type: string, fields: Record<string, unknown>): string {
    return sse({ type, sequence_number: this.seq++, ...fields }, type);
  }
}
