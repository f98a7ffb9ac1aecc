// The data-plane requests still being answered, so a shutdown that cannot wait any longer can end
// each one properly — an in-stream error, or an HTTP error when nothing was sent yet — before the
// sockets are destroyed, instead of leaving clients with a bare connection reset.
import type { GatewayError } from '../errors.js';

/** A request that can be ended with `error`; `cut` resolves once what it wrote has left (or the client is gone). */
export interface Cuttable {
  cut(error: GatewayError): Promise<void>;
}

export class InFlight {
  private readonly open = new Set<Cuttable>();

  add(request: Cuttable): void { this.open.add(request); }
  delete(request: Cuttable): void { this.open.delete(request); }
  get size(): number { return this.open.size; }

  /** Cuts every request still open; resolves when all have flushed, or after `waitMs` at most. */
  async cutAll(error: GatewayError, waitMs: number): Promise<number> {
    const pending = [...this.open].map((request) => request.cut(error).catch(() => undefined));
    this.open.clear();
    if (pending.length === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((resolve) => { timer = setTimeout(resolve, waitMs); })]);
    clearTimeout(timer);
    return pending.length;
  }
}
