// Outages repeat the same message on every retry (knex on each pool acquire, ioredis on each
// reconnect): a log line per distinct message and interval says all there is to say.

/** How often one message may be logged. */
export const REPEAT_MS = 10_000;

/** A filter: true when `message` was not let through within the last `ms` (bounded: 100 messages). */
export function repeatFilter(ms = REPEAT_MS): (message: string) => boolean {
  const lastSeen = new Map<string, number>();
  return (message) => {
    const now = Date.now();
    if (now - (lastSeen.get(message) ?? -Infinity) < ms) return false;
    if (lastSeen.size > 100) lastSeen.clear();
    lastSeen.set(message, now);
    return true;
  };
}
