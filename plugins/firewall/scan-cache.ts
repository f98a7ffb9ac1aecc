// Findings of segments already scanned, by a hash of their text. Every client resends the whole
// conversation each turn, so all but the newest segments were scanned on an earlier turn: looking
// them up costs one hash of the text instead of a run of every detector over it. The text itself is
// never kept (only its SHA-1 and length), so the cache holds no prompt and no secret.
import { hash } from 'node:crypto';
import type { Finding } from './types.js';

const NONE: readonly Finding[] = Object.freeze([]);

type Entry = readonly Finding[] | Group;
/** The findings of a run of consecutive texts, one list per text (see request-scan.ts). */
class Group {
  constructor(readonly lists: readonly (readonly Finding[])[]) {}
}

/**
 * A bounded map from a segment's hash to its findings, least recently used out first — in two
 * generations rather than a strict LRU: a hit in the young generation costs one lookup (no
 * delete-and-reinsert churn on every segment of every request); a hit in the old one moves the entry
 * to the young; when the young one is full the old one is dropped whole. Everything a conversation
 * resends is a young hit from its second turn on, and at most `capacity` entries are held.
 */
export class ScanCache {
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
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
    const found = this.lookup(key);
    if (found === undefined || found instanceof Group) { this.misses++; return undefined; }
    this.hits++;
    return found;
  }

  set(key: string, findings: readonly Finding[]): void {
    if (this.capacity === 0) return;
    this.put(key, frozen(findings));
  }

  /**
   * The findings of a run of `size` texts keyed together (one hash for several short texts). A
   * hit counts one hit per text; a miss counts nothing (the texts are then looked up one by one).
   */
  getGroup(key: string, size: number): readonly (readonly Finding[])[] | undefined {
    const found = this.lookup(key);
    if (!(found instanceof Group) || found.lists.length !== size) return undefined;
    this.hits += size;
    return found.lists;
  }

  setGroup(key: string, lists: readonly (readonly Finding[])[]): void {
    if (this.capacity === 0) return;
    this.put(key, new Group(Object.freeze(lists.map(frozen))));
  }

  private lookup(key: string): Entry | undefined {
    let found = this.young.get(key);
    if (found === undefined) {
      found = this.old.get(key);
      if (found === undefined) return undefined;
      this.old.delete(key);
      this.put(key, found);
    }
    return found;
  }

  private put(key: string, findings: Entry): void {
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

/** Most texts have no findings: share one frozen empty list rather than keep thousands. */
function frozen(findings: readonly Finding[]): readonly Finding[] {
  return findings.length === 0 ? NONE : Object.isFrozen(findings) ? findings : Object.freeze(findings.map((f) => Object.freeze({ ...f })));
}
