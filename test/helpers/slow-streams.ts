// A mock upstream whose streams are slow enough to be cut mid-way, in the two shapes of usage
// reporting that matter when they are: OpenAI Chat (usage only in the last chunk) and Anthropic
// (input in message_start, output at the end). For the tests of what a cut stream is charged.
import type { ServerResponse } from 'node:http';
import { chunk, startMockUpstream, type MockUpstream } from './mock-upstream.js';

/** The input tokens Anthropic's message_start reports. */
export const ANTHROPIC_INPUT = 50;
/** 32 characters, 8 tokens: more than the output_tokens: 1 of message_start, so an estimate shows. */
export const ANTHROPIC_DELTA = 'word after word, a longer story ';
/** The Chat stream's final usage, when it runs to its end. */
export const CHAT_USAGE = { prompt_tokens: 40, completion_tokens: 60, total_tokens: 100 };

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Streams 60 deltas 30 ms apart ("word"; ANTHROPIC_DELTA for Anthropic), with the usage only at the end (Chat) or the input
 * up front and the output at the end (Anthropic). `[[cut N]]` in the prompt: the upstream drops the
 * connection after N deltas.
 */
export async function slowStreams(): Promise<MockUpstream> {
  const mock = await startMockUpstream();
  mock.handle(async (req, res) => {
    const body = req.body as { model?: string; messages?: { content?: string }[] };
    const model = String(body.model ?? 'm');
    const prompt = (body.messages ?? []).map((m) => String(m.content ?? '')).join(' ');
    const cutAfter = Number(/\[\[cut (\d+)\]\]/.exec(prompt)?.[1] ?? -1);
    const anthropic = req.url.endsWith('/messages');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (i: number) => (anthropic
      ? sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ANTHROPIC_DELTA } }, 'content_block_delta')
      : chunk(model, { content: i ? ' word' : 'word' }));
    if (anthropic) {
      res.write(sse({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: ANTHROPIC_INPUT, output_tokens: 1 } } }, 'message_start'));
      res.write(sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'));
    } else {
      res.write(chunk(model, { role: 'assistant', content: '' }));
    }
    for (let i = 0; i < 60; i++) {
      if (res.destroyed) return;
      if (i === cutAfter) { res.socket?.destroy(); return; }
      res.write(send(i));
      await pause(30);
    }
    finish(res, model, anthropic);
  });
  return mock;
}

function finish(res: ServerResponse, model: string, anthropic: boolean): void {
  if (anthropic) {
    res.write(sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'));
    res.write(sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 60 } }, 'message_delta'));
    res.end(sse({ type: 'message_stop' }, 'message_stop'));
    return;
  }
  res.write(chunk(model, {}, 'stop'));
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-mock1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: CHAT_USAGE })}\n\n`);
  res.end('data: [DONE]\n\n');
}

