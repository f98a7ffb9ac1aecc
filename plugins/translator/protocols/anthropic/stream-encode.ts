// IR stream events → Anthropic Messages SSE events (Anthropic as the client protocol: Claude Code
// and the SDK's MessageStream parse this). Anthropic clients accumulate content by block index and
// expect blocks strictly one after another: start → deltas → stop. Upstreams such as OpenAI Chat
// may interleave the arguments of parallel tool calls, so blocks that cannot be opened yet wait in
// a queue until the open one is complete. Reasoning comes before the answer: Anthropic rejects a
// turn with a thinking block after a text or tool_use block, so reasoning that arrives once the
// answer has begun (e.g. the signature Gemini puts on a stream's final empty text part) is dropped.
import { mergeUsage, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrStopReason, IrStreamEvent } from '../../ir.js';
import { idWithSignature } from '../../tool-call-ids.js';
import { isCompleteJson } from '../../util.js';
import { finalStopReason, messageId } from './response-encode.js';
import { encodeUsage } from './wire.js';

type BlockState = 'queued' | 'open' | 'closed';
type Block = { state: BlockState } & (
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string; signature: string }
  | { kind: 'redacted_thinking'; data: string }
  | { kind: 'tool'; id: string; name: string; args: string }
);
type ToolBlock = Extract<Block, { kind: 'tool' }>;

export async function* encodeStream(events: AsyncIterable<IrStreamEvent>, ctx: EncodeContext): AsyncGenerator<StreamEvent> {
  const writer = new MessageStreamWriter(ctx);
  for await (const ev of events) {
    writer.accept(ev);
    yield* writer.drain();
  }
  writer.end();
  yield* writer.drain();
}

class MessageStreamWriter {
  private out: StreamEvent[] = [];
  private started = false;
  private usage: Usage | undefined;
  private stopReason: IrStopReason = 'end_turn';
  private stopSequence: string | null = null;
  private open: Block | undefined;
  private openIndex = -1;
  private nextIndex = 0;
  /** Blocks that arrived while an incomplete tool call held the stream, in arrival order. */
  private queue: Block[] = [];
  private tools = new Map<number, ToolBlock>();
  /** A text or tool_use block has been placed: reasoning after it is dropped. */
  private answered = false;

  constructor(private readonly ctx: EncodeContext) {}

  drain(): StreamEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  accept(ev: IrStreamEvent): void {
    switch (ev.type) {
      case 'start': break; // the client sees its own model name and a Sluice message id
      case 'usage': this.usage = mergeUsage(this.usage, ev.usage); break;
      case 'finish':
        this.stopReason = ev.stopReason;
        this.stopSequence = ev.stopSequence ?? null;
        break;
      case 'text_delta': if (ev.text) this.text(ev.text); break;
      case 'thinking_delta': if (ev.text) this.thinking(ev.text); break;
      case 'thinking_signature': this.signature(ev.signature); break;
      case 'redacted_thinking': if (!this.answered) this.place({ state: 'queued', kind: 'redacted_thinking', data: ev.data }); break;
      case 'tool_call_start': {
        // Some upstreams repeat the call's id and name on later deltas: the first start wins.
        if (this.tools.has(ev.index)) break;
        const tool: ToolBlock = { state: 'queued', kind: 'tool', id: idWithSignature(ev.id, ev.signature), name: ev.name, args: '' };
        this.tools.set(ev.index, tool);
        this.place(tool);
        break;
      }
      case 'tool_call_delta': this.toolArguments(ev.index, ev.arguments); break;
    }
  }

  end(): void {
    this.ensureStarted();
    this.closeOpen();
    for (const block of this.queue.splice(0)) { this.startBlock(block); this.closeOpen(); }
    const usage = this.usage ? encodeUsage(this.usage) : { ...this.estimatedUsage(), output_tokens: 0 };
    this.emit('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: finalStopReason(this.stopReason, this.tools.size > 0), stop_sequence: this.stopSequence, stop_details: null },
      usage,
    });
    this.emit('message_stop', { type: 'message_stop' });
  }

  private text(text: string): void {
    const last = this.queue.at(-1);
    if (!this.queue.length && this.open?.kind === 'text') {
      this.open.text += text;
      this.delta({ type: 'text_delta', text });
    } else if (last?.kind === 'text') last.text += text;
    else this.place({ state: 'queued', kind: 'text', text });
  }

  private thinking(text: string): void {
    if (this.answered) return;
    const last = this.queue.at(-1);
    if (!this.queue.length && this.open?.kind === 'thinking') {
      this.open.text += text;
      this.delta({ type: 'thinking_delta', thinking: text });
    } else if (last?.kind === 'thinking') last.text += text;
    else this.place({ state: 'queued', kind: 'thinking', text, signature: '' });
  }

  /**
   * A signature completes the thinking block it follows; alone, it is a thinking block with no text.
   * Once the answer has begun it has no block to go to (the thinking before the answer was closed
   * when the answer opened) and is dropped: Gemini requires signatures only on function calls, which
   * keep theirs in the tool_use id.
   */
  private signature(signature: string): void {
    if (this.answered) return;
    const last = this.queue.at(-1);
    if (!this.queue.length && this.open?.kind === 'thinking') {
      this.open.signature = signature;
      this.delta({ type: 'signature_delta', signature });
    } else if (last?.kind === 'thinking') last.signature = signature;
    else this.place({ state: 'queued', kind: 'thinking', text: '', signature });
  }

  private toolArguments(index: number, args: string): void {
    const tool = this.tools.get(index);
    // Deltas for a call that never started, or that arrive after its block was closed, have no
    // block to go to (a closed block held complete JSON already).
    if (!tool || tool.state === 'closed' || !args) return;
    tool.args += args;
    if (tool.state !== 'open') return;
    this.delta({ type: 'input_json_delta', partial_json: args });
    if (this.queue.length) this.advance();
  }

  /** A new block: it opens now if the open block may close, else it waits its turn. */
  private place(block: Block): void {
    if (block.kind === 'text' || block.kind === 'tool') this.answered = true;
    if (this.queue.length || !this.openMayClose()) { this.queue.push(block); return; }
    this.closeOpen();
    this.startBlock(block);
  }

  /** Opens queued blocks for as long as the open block may close. */
  private advance(): void {
    while (this.queue.length && this.openMayClose()) {
      this.closeOpen();
      this.startBlock(this.queue.shift()!);
    }
  }

  /** Only a tool call whose arguments are not yet complete JSON must stay open. */
  private openMayClose(): boolean {
    if (this.open?.kind !== 'tool') return true;
    const args = this.open.args.trimEnd();
    return args.endsWith('}') && isCompleteJson(args);
  }

  private startBlock(block: Block): void {
    this.ensureStarted();
    this.open = block;
    this.openIndex = this.nextIndex++;
    block.state = 'open';
    let contentBlock: JsonObject;
    switch (block.kind) {
      case 'text': contentBlock = { type: 'text', text: '' }; break;
      case 'thinking': contentBlock = { type: 'thinking', thinking: '', signature: '' }; break;
      case 'redacted_thinking': contentBlock = { type: 'redacted_thinking', data: block.data }; break;
      case 'tool': contentBlock = { type: 'tool_use', id: block.id, name: block.name, input: {} }; break;
    }
    this.emit('content_block_start', { type: 'content_block_start', index: this.openIndex, content_block: contentBlock });
    // What the block gathered while it waited goes out as one delta per kind.
    switch (block.kind) {
      case 'text': if (block.text) this.delta({ type: 'text_delta', text: block.text }); break;
      case 'thinking':
        if (block.text) this.delta({ type: 'thinking_delta', thinking: block.text });
        if (block.signature) this.delta({ type: 'signature_delta', signature: block.signature });
        break;
      case 'tool': if (block.args) this.delta({ type: 'input_json_delta', partial_json: block.args }); break;
      case 'redacted_thinking': break;
    }
  }

  private closeOpen(): void {
    if (!this.open) return;
    this.emit('content_block_stop', { type: 'content_block_stop', index: this.openIndex });
    this.open.state = 'closed';
    this.open = undefined;
  }

  private delta(delta: JsonObject): void {
    this.emit('content_block_delta', { type: 'content_block_delta', index: this.openIndex, delta });
  }

  /**
   * message_start waits for the first content so that an upstream which reports usage up front
   * (Anthropic, Gemini) gives Claude Code the real input count; others get the estimate here and
   * the real counts in the final message_delta, which the SDK applies over it.
   */
  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    const usage = this.usage ? encodeUsage(this.usage) : { ...this.estimatedUsage(), output_tokens: 0 };
    this.emit('message_start', {
      type: 'message_start',
      message: {
        id: messageId(this.ctx), type: 'message', role: 'assistant', model: this.ctx.clientModel, content: [],
        stop_reason: null, stop_sequence: null, stop_details: null, usage,
      },
    });
    this.emit('ping', { type: 'ping' });
  }

  private estimatedUsage(): JsonObject {
    return { input_tokens: this.ctx.estimatedInputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  }

  private emit(event: string, data: JsonObject): void {
    this.out.push({ event, data });
  }
}
