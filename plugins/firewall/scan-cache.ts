// Findings of segments already scanned, by a hash of their text. Every client resends the whole
// conversation each turn, so all but the newest segments were scanned on an earlier turn: looking
// them up costs one hash of the text instead of a run of every detector over it. The text itself is
// never kept (only its SHA-1 and length), so the cache holds no prompt and no secret.
import { hash } from 'node:crypto';
import type { Finding } from './types.js';

const NONE: readonly Finding[] = Object.freeze([]);

/**
 * A bounded map from a segment's hash to its findings, least recently used out first — in two
 * generations rather than a strict LRU: a hit in the young generation costs one lookup (no
 * delete-and-reinsert churn on every segment of every request); a hit in the old one moves the entry
 * to the young; when the young one is full the old one is dropped whole. Everything a conversation
 * resends is a young hit from its second turn on, and at most `capacity` entries are held.
 */
export class ScanCache {
  private young = new Map<string, readonly Finding[]>();
  private old = new Map<string, readonly Finding[]>();
  private readonly generation: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.generation = Math.ceil(capacity / 2);
  }

  /**
   * The key of a text: its SHA-1 (native, one pass). Measured on a 200-turn agent history (800
   * segments, 260 KB), hashing every segment beats scanning the short ones (a tool argument such
   * as a path or a city): one detector pass costs a few µs however short the text, a hash below one.
   */
  static keyOf(text: string): string {
    return hash('sha1', text, 'base64');
  }

  get(key: string): readonly Finding[] | undefined {
    let found = this.young.get(key);
    if (found === undefined) {
      found = this.old.get(key);
      if (found === undefined) { this.misses++; return undefined; }
      this.old.delete(key);
      this.put(key, found);
    }
    this.hits++;
    return found;
  }

  set(key: string, findings: readonly Finding[]): void {
    if (this.capacity === 0) return;
    // Most segments have no findings: share one frozen empty list rather than keep thousands.
    this.put(key, findings.length === 0 ? NONE : Object.freeze(findings.map((f) => Object.freeze({ ...f }))));
  }

  private put(key: string, findings: readonly Finding[]): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, findings);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
