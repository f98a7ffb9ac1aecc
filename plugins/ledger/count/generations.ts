// A bounded memo in two generations: the newer fills up to its size, then becomes the older and the
// older is dropped whole. A key found in the older is carried into the newer, so what is still in
// use stays; no per-entry bookkeeping (an LRU's order), at most twice `size` entries.
export class Generations<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const w = this.old.get(key);
    if (w !== undefined) this.set(key, w);
    return w;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.size) { this.old = this.young; this.young = new Map(); }
    this.young.set(key, value);
  }
}
