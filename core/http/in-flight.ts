// The data-plane requests still being answered, so a shutdown that cannot wait any longer can end
// each one properly — an in-stream error, or an HTTP error when nothing was sent yet — before the
// sockets are destroyed, instead of leaving clients with a bare connection reset.
import type { GatewayError } from '../errors.js';

/** Ends one request with `error`; resolves once what it wrote has left (or the client is gone). */
export type Cut = (error: GatewayError) => Promise<void>;

export class InFlight {
  private readonly cuts = new Set<Cut>();

  add(cut: Cut): void { this.cuts.add(cut); }
  delete(cut: Cut): void { this.cuts.delete(cut); }
  get size(): number { return this.cuts.size; }

  /** Cuts every request still open; resolves when all have flushed, or after `waitMs` at most. */
  async cutAll(error: GatewayError, waitMs: number): Promise<number> {
    const pending = [...this.cuts].map((cut) => cut(error).catch(() => undefined));
    this.cuts.clear();
    if (pending.length === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((resolve) => { timer = setTimeout(resolve, waitMs); })]);
    clearTimeout(timer);
    return pending.length;
  }
}
