// Findings of segments already scanned, by a hash of their text. Every client resends the whole
// conversation each turn, so all but the newest segments were scanned on an earlier turn: looking
// them up costs one hash of the text instead of a run of every detector over it. The text itself is
// never kept (only its SHA-1 and length), so the cache holds no prompt and no secret.
import { hash } from 'node:crypto';
import type { Finding } from './types.js';

/** Segments shorter than this are scanned directly: hashing them costs about as much as scanning. */
export const MIN_CACHED_LENGTH = 48;

const NONE: readonly Finding[] = Object.freeze([]);

/** A bounded least-recently-used map from a segment's hash to its findings. */
export class ScanCache {
  private readonly entries = new Map<string, readonly Finding[]>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** The key of a text: SHA-1 (native, one pass) plus its length. */
  static keyOf(text: string): string {
    return hash('sha1', text, 'base64') + text.length;
  }

  get(key: string): readonly Finding[] | undefined {
    const found = this.entries.get(key);
    if (found === undefined) { this.misses++; return undefined; }
    this.hits++;
    // Refresh recency: the oldest entry (first in insertion order) is the one evicted.
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(key: string, findings: readonly Finding[]): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    // Most segments have no findings: share one frozen empty list rather than keep thousands.
    this.entries.set(key, findings.length === 0 ? NONE : Object.freeze(findings.map((f) => Object.freeze({ ...f }))));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
