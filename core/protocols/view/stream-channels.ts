// Bookkeeping shared by the stream transforms: which channels are open, and their ends.
import type { Channel, DeltaTransform } from './types.js';

export class Channels {
  private readonly open = new Map<string, Channel>();
  constructor(private readonly transform: DeltaTransform) {}

  delta(ch: Channel, text: string): string {
    if (!this.open.has(ch.key)) this.open.set(ch.key, ch);
    return this.transform.delta(ch, text);
  }

  /** Closes one channel; returns what the transform still held ('' when nothing or not open). */
  end(key: string): string {
    const ch = this.open.get(key);
    if (!ch) return '';
    this.open.delete(key);
    return this.transform.end(ch);
  }

  /** Closes every open channel (of one choice, when given), in the order they opened. */
  endAll(choice?: number): { channel: Channel; text: string }[] {
    const out: { channel: Channel; text: string }[] = [];
    for (const [key, ch] of this.open) {
      if (choice !== undefined && ch.choice !== choice) continue;
      this.open.delete(key);
      out.push({ channel: ch, text: this.transform.end(ch) });
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
