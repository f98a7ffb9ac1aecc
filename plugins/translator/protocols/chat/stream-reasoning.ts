// Signed reasoning in a Chat stream. The text streams as `reasoning_content` pieces (what clients
// display as it comes), but the signature is only valid for the whole text, and clients rebuild
// a streamed message in two ways: by hand, concatenating the pieces; or with the openai SDK's
// ChatCompletionStream (`.stream()` → `finalChatCompletion()`), which merges every delta field it
// does not know with Object.assign — so its `reasoning_content` is only the last piece and its
// `reasoning_details` only the last array sent. Both keep an array sent once, whole. So the
// signed blocks of a reasoning run go out together, each with its whole text, in one
// `reasoning_details` chunk when the run ends (the answer begins, or the stream ends) — the form
// the non-streamed answer has, and the one the request decoder trusts (message-reader.ts).
import type { JsonObject } from '../../../../core/index.js';
import type { IrRedactedThinking, IrThinking } from '../../ir.js';
import { reasoningDetailsFromIr } from './provider-state.js';

export class StreamedReasoning {
  /** Blocks of the current run, closed by a signature or a redacted block. */
  private blocks: (IrThinking | IrRedactedThinking)[] = [];
  /** Text of the block still open (no signature yet). */
  private open = '';
  /** Index of the next reasoning_details entry, across runs (clients that append keep them in order). */
  private nextIndex = 0;

  text(piece: string): void {
    this.open += piece;
  }

  signature(signature: string): void {
    this.blocks.push({ type: 'thinking', text: this.open, signature });
    this.open = '';
  }

  redacted(data: string): void {
    this.closeOpen();
    this.blocks.push({ type: 'redacted_thinking', data });
  }

  /**
   * The run's `reasoning_details`, or undefined when nothing in it was signed (unsigned
   * reasoning needs no details: `reasoning_content` carries it).
   */
  flush(): JsonObject[] | undefined {
    this.closeOpen();
    const details = reasoningDetailsFromIr(this.blocks);
    this.blocks = [];
    if (!details) return undefined;
    for (const d of details) d['index'] = this.nextIndex++;
    return details;
  }

  private closeOpen(): void {
    if (this.open !== '') this.blocks.push({ type: 'thinking', text: this.open });
    this.open = '';
  }
}
