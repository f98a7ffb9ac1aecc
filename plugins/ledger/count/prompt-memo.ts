// A chat client resends its whole conversation every turn. Finding each resent message among the
// cycle's texts hashes it again (a Map key), and at 146 KB of plain history that hashing was most
// of the row's cost (~300 µs, bench/ledger-agent.ts --shape chat). This remembers, per
// conversation, the last counted prompt's segments and their token counts: a new prompt is compared
// with it position by position (string equality: the lengths, then the characters; no hash) and
// only the segments from the first one that differs on are looked up and counted as before.
//
// Which conversation a prompt belongs to is a guess from its first two segments, and it only picks
// what to compare with: a count is reused only for a segment found equal to the one it counted, so
// a wrong guess costs a comparison, never a wrong count.
import type { Encoding } from './encoding.js';

/** A conversation's last counted prompt. */
export interface Turn {
  readonly encoding: Encoding;
  readonly segments: readonly string[];
  /** Tokens of each segment, in order. */
  readonly counts: readonly number[];
  readonly chars: number;
}

/** How much of a prompt the conversation's last turn had already counted. */
export interface Reuse {
  /** The turn compared with (its counts are the prefix's). */
  readonly turn: Turn;
  /** Leading segments equal to the turn's. */
  readonly segments: number;
  /** Their tokens. */
  readonly tokens: number;
}

/** Characters of each of the first two segments that make up a conversation's key. */
const KEY_HEAD = 48;

export class PromptMemo {
  private readonly turns = new Map<string, Turn>();
  private chars = 0;

  /**
   * At most `maxChars` characters of prompts and `maxTurns` conversations, the oldest dropped first.
   * The defaults hold 8–16 MB of text (one or two bytes a character) from the 10,000 latest conversations.
   */
  constructor(private readonly maxChars = 8_000_000, private readonly maxTurns = 10_000) {}

  /** The leading segments of `segments` that its conversation's last turn counted in the same encoding; undefined when none. */
  reuse(segments: readonly string[], encoding: Encoding): Reuse | undefined {
    const turn = this.turns.get(keyOf(segments));
    if (!turn || turn.encoding !== encoding) return undefined;
    const max = Math.min(segments.length, turn.segments.length);
    let n = 0;
    let tokens = 0;
    while (n < max && segments[n] === turn.segments[n]) tokens += turn.counts[n++]!;
    return n > 0 ? { turn, segments: n, tokens } : undefined;
  }

  /** Keeps a counted prompt as its conversation's last turn. */
  remember(turn: Turn): void {
    if (turn.chars > this.maxChars) return;
    const key = keyOf(turn.segments);
    const old = this.turns.get(key);
    if (old) { this.turns.delete(key); this.chars -= old.chars; } // re-inserted: the Map's order is the age
    this.turns.set(key, turn);
    this.chars += turn.chars;
    for (const [k, t] of this.turns) {
      if (this.chars <= this.maxChars && this.turns.size <= this.maxTurns) break;
      this.turns.delete(k);
      this.chars -= t.chars;
    }
  }

  get size(): number { return this.turns.size; }
}

/** The system prompt and the first message tell most conversations apart; their lengths and heads are enough for a key. */
function keyOf(segments: readonly string[]): string {
  const a = segments[0] ?? '';
  const b = segments[1] ?? '';
  return `${a.length}:${b.length}:${a.slice(0, KEY_HEAD)}\u0000${b.slice(0, KEY_HEAD)}`;
}
