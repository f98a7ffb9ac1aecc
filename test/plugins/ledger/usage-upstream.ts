// A mock upstream in every family that bills the same conversation the same way, each in its own
// usage shape: 100 uncached input tokens, 30 read from cache, 50 output tokens of which 10 are
// reasoning — plus, for Anthropic, 20 cache-write tokens, 8 of them for an hour (priced apart; its input_tokens excludes both cache
// classes; OpenAI's prompt_tokens and Gemini's promptTokenCount include the cached ones; Gemini's
// candidatesTokenCount excludes thoughts). JSON and streams alike; under /last/ the Chat stream
// carries its usage on the final chunk that also has the finish reason, as some servers do. Under
// /extras/ each answer also names the service tier that served it and the calls billed per request
// (EXTRAS): Chat `service_tier` priority on the body and every chunk, Responses flex with two
// web_search_call items, Anthropic standard with 3 web searches and 1 fetch, Gemini 2 grounding queries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { protocolOfPath } from '../../helpers/family-wire.js';

export const TEXT = 'The answer is forty-two.';

export const EXPECTED = {
  openai: { input_tokens: 100, cache_read_tokens: 30, cache_write_tokens: 0, output_tokens: 50, reasoning_tokens: 10 },
  anthropic: { input_tokens: 100, cache_read_tokens: 30, cache_write_tokens: 20, output_tokens: 50, reasoning_tokens: 0 },
  gemini: { input_tokens: 100, cache_read_tokens: 30, cache_write_tokens: 0, output_tokens: 50, reasoning_tokens: 10 },
};

/** What the /extras/ answers report beside their tokens, per upstream family shape. */
export const EXTRAS = {
  'openai.chat': { service_tier: 'priority', web_search_calls: 0, web_fetch_calls: 0 },
  'openai.responses': { service_tier: 'flex', web_search_calls: 2, web_fetch_calls: 0 },
  'anthropic.messages': { service_tier: 'standard', web_search_calls: 3, web_fetch_calls: 1 },
  'gemini.generate': { service_tier: null, web_search_calls: 2, web_fetch_calls: 0 },
} as const;
const SEARCHES = [{ id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'a' } }, { id: 'ws_2', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'b' } }];
const GROUNDING = { webSearchQueries: ['a', 'b'], groundingChunks: [{ web: { uri: 'https://example.com', title: 'example' } }] };

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

const chatUsage = { prompt_tokens: 130, completion_tokens: 50, total_tokens: 180, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 10 } };
const responsesUsage = { input_tokens: 130, input_tokens_details: { cached_tokens: 30 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 10 }, total_tokens: 180 };
const cacheCreation = { ephemeral_5m_input_tokens: 12, ephemeral_1h_input_tokens: 8 };
const anthropicUsage = { input_tokens: 100, cache_read_input_tokens: 30, cache_creation_input_tokens: 20, cache_creation: cacheCreation, output_tokens: 50 };
/** Of EXPECTED.anthropic's cache writes, those for an hour (not a column: they change the cost only). */
export const ANTHROPIC_HOUR_WRITES = 8;
const geminiUsage = { promptTokenCount: 130, cachedContentTokenCount: 30, candidatesTokenCount: 40, thoughtsTokenCount: 10, totalTokenCount: 180 };

function chatChunk(model: string, delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) {
  return sse({ id: 'chatcmpl-u', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });
}

function responseObject(model: string, status: string, output: unknown[], usage: unknown, extras = false) {
  const o = { id: 'resp_u', object: 'response', created_at: 1, status, model, output, usage, error: null, incomplete_details: null };
  return extras ? { ...o, service_tier: 'flex', output: usage ? [...SEARCHES, ...output] : output } : o;
}

export async function startUsageUpstream(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const c of req) text += String(c);
    const body = text ? JSON.parse(text) as { model?: string; stream?: boolean } : {};
    const url = req.url ?? '';
    const last = url.startsWith('/last/');
    const extras = url.startsWith('/extras/');
    const tier = extras ? { service_tier: 'priority' } : {};
    const aUsage = extras ? { ...anthropicUsage, service_tier: 'standard', server_tool_use: { web_search_requests: 3, web_fetch_requests: 1 } } : anthropicUsage;
    const grounding = extras ? { groundingMetadata: GROUNDING } : {};
    const protocol = protocolOfPath(url);
    const stream = body.stream === true || url.includes(':streamGenerateContent');
    const asked = body.model ?? /models\/([^:]+):/.exec(url)?.[1] ?? 'm';
    // The answer names the model that served it: with extras, a dated snapshot of the one asked for.
    const model = extras ? `${asked}-20260101` : asked;
    const words = TEXT.split(/(?= )/);
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      switch (protocol) {
        case 'openai.chat':
          res.end(JSON.stringify({ id: 'chatcmpl-u', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null }, logprobs: null, finish_reason: 'stop' }], usage: chatUsage, ...tier }));
          return;
        case 'openai.responses':
          res.end(JSON.stringify(responseObject(model, 'completed', [{ id: 'msg_u', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: TEXT, annotations: [] }] }], responsesUsage, extras)));
          return;
        case 'anthropic.messages':
          res.end(JSON.stringify({ id: 'msg_u', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: TEXT }], stop_reason: 'end_turn', stop_sequence: null, usage: aUsage }));
          return;
        case 'gemini.generate':
          res.end(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: TEXT }] }, finishReason: 'STOP', index: 0, ...grounding }], usageMetadata: geminiUsage, modelVersion: model }));
          return;
      }
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    switch (protocol) {
      case 'openai.chat':
        res.write(chatChunk(model, { role: 'assistant', content: '' }, null, tier));
        for (const w of words) res.write(chatChunk(model, { content: w }, null, tier));
        if (last) res.write(chatChunk(model, {}, 'stop', { usage: chatUsage }));
        else {
          res.write(chatChunk(model, {}, 'stop', tier));
          res.write(sse({ id: 'chatcmpl-u', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: chatUsage, ...tier }));
        }
        res.end('data: [DONE]\n\n');
        return;
      case 'openai.responses': {
        let seq = 0;
        const ev = (type: string, fields: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...fields }, type);
        const item = { id: 'msg_u', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
        res.write(ev('response.created', { response: responseObject(model, 'in_progress', [], null) }));
        res.write(ev('response.in_progress', { response: responseObject(model, 'in_progress', [], null) }));
        res.write(ev('response.output_item.added', { output_index: 0, item }));
        res.write(ev('response.content_part.added', { item_id: 'msg_u', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
        for (const w of words) res.write(ev('response.output_text.delta', { item_id: 'msg_u', output_index: 0, content_index: 0, delta: w, logprobs: [] }));
        res.write(ev('response.output_text.done', { item_id: 'msg_u', output_index: 0, content_index: 0, text: TEXT, logprobs: [] }));
        const part = { type: 'output_text', text: TEXT, annotations: [] };
        res.write(ev('response.content_part.done', { item_id: 'msg_u', output_index: 0, content_index: 0, part }));
        const done = { ...item, status: 'completed', content: [part] };
        res.write(ev('response.output_item.done', { output_index: 0, item: done }));
        res.end(ev('response.completed', { response: responseObject(model, 'completed', [done], responsesUsage, extras) }));
        return;
      }
      case 'anthropic.messages':
        res.write(sse({ type: 'message_start', message: { id: 'msg_u', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 100, cache_read_input_tokens: 30, cache_creation_input_tokens: 20, cache_creation: cacheCreation, output_tokens: 1, ...(extras ? { service_tier: 'standard' } : {}) } } }, 'message_start'));
        res.write(sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'));
        for (const w of words) res.write(sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } }, 'content_block_delta'));
        res.write(sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'));
        res.write(sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 50, ...(extras ? { server_tool_use: { web_search_requests: 3, web_fetch_requests: 1 } } : {}) } }, 'message_delta'));
        res.end(sse({ type: 'message_stop' }, 'message_stop'));
        return;
      case 'gemini.generate':
        // Gemini repeats usageMetadata on every chunk, cumulatively; the last one is the bill.
        words.forEach((w, i) => {
          const final = i === words.length - 1;
          res.write(sse({
            candidates: [{ content: { role: 'model', parts: [{ text: w }] }, index: 0, ...(final ? { finishReason: 'STOP', ...grounding } : {}) }],
            usageMetadata: final ? geminiUsage : { promptTokenCount: 130, cachedContentTokenCount: 30, candidatesTokenCount: i + 1, totalTokenCount: 131 + i },
            modelVersion: model,
          }));
        });
        res.end();
        return;
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
