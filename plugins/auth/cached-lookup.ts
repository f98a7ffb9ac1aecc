// A bounded, short-lived cache in front of a database lookup — what keeps the request path free of
// database round trips once warm, and serving while the database briefly is not there:
// - fresh hits (younger than the TTL) answer synchronously;
// - concurrent misses for one key share one lookup;
// - when a lookup fails, an entry up to `staleMs` past its TTL is served instead (a Postgres
//   restart does not turn valid keys into 401s), and for a second the database is not asked again;
// - `invalidate` wins over everything: it drops entries and makes lookups that started before it
//   leave no trace, so a revocation is never undone by a slow read that raced it.
// Unknown keys are cached too, in their own bound, so a flood of made-up ids cannot push the real
// ones out.

export interface CachedLookupOptions {
  ttlMs: number;
  staleMs: number;
  maxEntries: number;
  lookupTimeoutMs: number;
}

/** The database could not answer and nothing cached could stand in. */
export class LookupUnavailable extends Error {
  constructor(cause: unknown) {
    super('the identity database is unreachable', { cause });
    this.name = 'LookupUnavailable';
  }
}

interface Entry<V> { value: V; storedAt: number }

/** Insertion-ordered map with a size bound: the oldest entry goes first. */
class BoundedMap<V> {
  readonly map = new Map<string, Entry<V>>();
  constructor(private readonly max: number) {}
  get(key: string): Entry<V> | undefined { return this.map.get(key); }
  set(key: string, value: V, now: number): void {
    this.map.delete(key);
    this.map.set(key, { value, storedAt: now });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** A failed lookup keeps the database out of the request path this long. */
const BACKOFF_AFTER_FAILURE_MS = 1_000;

export class CachedLookup<V> {
  private readonly known: BoundedMap<V>;
  private readonly unknown: BoundedMap<true>;
  private readonly pending = new Map<string, Promise<V | null>>();
  private generation = 0;
  private databaseDownUntil = 0;

  constructor(
    private readonly load: (key: string) => Promise<V | undefined>,
    private readonly opts: CachedLookupOptions,
    /** Told when a stale entry is served because the database failed. */
    private readonly onStale: (error: unknown) => void = () => {},
  ) {
    this.known = new BoundedMap(opts.maxEntries);
    this.unknown = new BoundedMap(opts.maxEntries);
  }

  /** The value, `null` when the database does not know the key; a promise only on a cache miss. */
  get(key: string): V | null | Promise<V | null> {
    const now = Date.now();
    const hit = this.known.get(key);
    if (hit) {
      const age = now - hit.storedAt;
      if (age < this.opts.ttlMs) return hit.value;
      if (now < this.databaseDownUntil && age < this.opts.ttlMs + this.opts.staleMs) return hit.value;
    } else {
      const miss = this.unknown.get(key);
      if (miss && now - miss.storedAt < this.opts.ttlMs) return null;
    }
    return this.refresh(key);
  }

  private async refresh(key: string): Promise<V | null> {
    try {
      return await this.lookup(key);
    } catch (error) {
      const now = Date.now();
      this.databaseDownUntil = now + BACKOFF_AFTER_FAILURE_MS;
      // Only what is still cached: invalidate() removed anything revoked meanwhile.
      const still = this.known.get(key);
      if (still && now - still.storedAt < this.opts.ttlMs + this.opts.staleMs) {
        this.onStale(error);
        return still.value;
      }
      throw new LookupUnavailable(error);
    }
  }

  private lookup(key: string): Promise<V | null> {
    const running = this.pending.get(key);
    if (running) return running;
    const generation = this.generation;
    const p: Promise<V | null> = withTimeout(this.load(key), this.opts.lookupTimeoutMs)
      .then((value) => {
        // An invalidation while we read may concern this very row: use the answer once, keep nothing.
        if (generation === this.generation) {
          const now = Date.now();
          if (value === undefined) this.unknown.set(key, true, now);
          else { this.known.set(key, value, now); this.unknown.map.delete(key); }
        }
        this.databaseDownUntil = 0;
        return value ?? null;
      })
      .finally(() => { if (this.pending.get(key) === p) this.pending.delete(key); });
    this.pending.set(key, p);
    return p;
  }

  /** Drops the entries `matches` selects (and forgets unknown `keys`); lookups in flight are not cached. */
  invalidate(matches: (value: V, key: string) => boolean, keys: readonly string[] = []): void {
    this.generation++;
    this.pending.clear();
    for (const [key, entry] of this.known.map) if (matches(entry.value, key)) this.known.map.delete(key);
    for (const key of keys) { this.known.map.delete(key); this.unknown.map.delete(key); }
  }

  clear(): void {
    this.generation++;
    this.pending.clear();
    this.known.map.clear();
    this.unknown.map.clear();
  }

  get size(): number {
    return this.known.map.size;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Timers run before the event loop reads its sockets: after a busy spell of this process the
    // timer fires although the database answered meanwhile. Deciding after one poll phase
    // (setImmediate) takes that answer; only a database still silent is a timeout.
    timer = setTimeout(() => setImmediate(() => reject(Object.assign(new Error(`lookup took longer than ${ms} ms`), { code: 'ETIMEDOUT' }))), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
