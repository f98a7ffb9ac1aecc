// Bookkeeping shared by the stream transforms: which channels are open, and their ends.
import type { Channel, DeltaTransform } from './types.js';

export class Channels {
  private readonly open = new Map<string, Channel>();
  /**
   * The transform itself threw (an output block): what it holds was never judged whole, and is
   * not flushed when the stream then fails.
   */
  failed = false;
  constructor(private readonly transform: DeltaTransform) {}

  delta(ch: Channel, text: string): string {
    if (!this.open.has(ch.key)) this.open.set(ch.key, ch);
    try {
      return this.transform.delta(ch, text);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /**
   * The stream failed (its source threw, or the upstream sent its error event): what each open
   * channel holds is the end of that channel, cut short — the transform's \`end\` is told so — and
   * goes out before the error rather than being lost with it. Nothing when the transform itself failed.
   */
  endAllOnFailure(): { channel: Channel; text: string }[] {
    return this.failed ? [] : this.endAll(undefined, true);
  }

  /** Closes one channel; returns what the transform still held ('' when nothing or not open). */
  end(key: string): string {
    const ch = this.open.get(key);
    if (!ch) return '';
    this.open.delete(key);
    return this.transform.end(ch);
  }

  /** Closes every open channel (of one choice, when given), in the order they opened. */
  endAll(choice?: number, cut = false): { channel: Channel; text: string }[] {
    const out: { channel: Channel; text: string }[] = [];
    for (const [key, ch] of this.open) {
      if (choice !== undefined && ch.choice !== choice) continue;
      this.open.delete(key);
      out.push({ channel: ch, text: this.transform.end(ch, cut) });
    }
    return out;
  }

  get(key: string): Channel | undefined {
    return this.open.get(key);
  }
}

export function makeChannel(kind: Channel['kind'], choice: number, index: number, extra: Partial<Channel> = {}): Channel {
  const key = kind === 'tool_arguments' ? `${choice}:tool:${index}` : `${choice}:${kind}:${index}`;
  return { kind, format: kind === 'tool_arguments' ? 'json' : 'text', key, choice, index, ...extra };
}
