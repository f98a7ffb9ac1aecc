// How every instance learns that a key, user or team changed (revoked, disabled, edited), so its
// cache drops the entry at once — revocation wins over caching:
// - the instance that made the change drops it synchronously (no Redis needed for that one);
// - with Redis, the change is published on a channel every instance subscribes to (well under a
//   second); after a Redis reconnect the whole cache is dropped, since messages may have been missed;
// - as a backstop that also covers the CLI writing to a SQLite file and instances without Redis, each
//   instance asks the database every `change_poll_ms` which rows changed (`updated_at`, indexed).
//   Rows are stamped with the writer's clock: the window overlaps by OVERLAP_MS to absorb commit
//   delays and clock skew between hosts (keep their clocks in sync, as NTP does).
import type { CommandHost, Logger } from '../../core/index.js';
import { changedSince, type Changes, type Db } from './identity-store.js';

export const CHANGES_CHANNEL = 'sluice:auth:changes';
const OVERLAP_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 2_000;
const REPEAT_WARNING_MS = 60_000;

type RedisClient = NonNullable<ReturnType<CommandHost['redis']>>;

function isEmpty(c: Partial<Changes>): boolean {
  return !c.keys?.length && !c.users?.length && !c.teams?.length && !c.userNames?.length;
}

/** Tells the other instances; a failure only delays them until their next poll. */
export async function publishChanges(redis: RedisClient | undefined, changes: Partial<Changes>, logger: Logger): Promise<void> {
  if (!redis || isEmpty(changes)) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.publish(CHANGES_CHANNEL, JSON.stringify(changes)),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), PUBLISH_TIMEOUT_MS); }),
    ]);
  } catch (err) {
    logger.warn('could not publish an identity change on Redis; other instances pick it up on their next database poll', { error: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
}

function parseChanges(message: string): Partial<Changes> | undefined {
  try {
    const raw = JSON.parse(message) as Record<string, unknown>;
    const list = <T>(v: unknown, ok: (x: unknown) => x is T): T[] => (Array.isArray(v) ? v.filter(ok) : []);
    const isString = (x: unknown): x is string => typeof x === 'string';
    const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    return { keys: list(raw['keys'], isString), users: list(raw['users'], isNumber), userNames: list(raw['userNames'], isString), teams: list(raw['teams'], isNumber) };
  } catch {
    return undefined;
  }
}

export interface ChangeFeedDeps {
  redis(): RedisClient | undefined;
  database(): Promise<Db>;
  pollMs: number;
  logger: Logger;
  /** Drops what changed from the caches. */
  apply(changes: Partial<Changes>): void;
  /** Drops everything (changes may have been missed). */
  reset(): void;
}

export class ChangeFeed {
  private subscriber: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private since = Date.now() - OVERLAP_MS;
  private polling = false;
  private failingSince: number | undefined;
  private lastWarning = 0;

  constructor(private readonly deps: ChangeFeedDeps) {}

  async start(): Promise<void> {
    const redis = this.deps.redis();
    if (redis) {
      const sub = this.subscriber = redis.duplicate();
      sub.on('message', (channel: string, message: string) => {
        if (channel !== CHANGES_CHANNEL) return;
        const changes = parseChanges(message);
        if (changes) this.deps.apply(changes);
      });
      // (Re)connected: whatever was published while we were away is lost, so forget everything.
      sub.on('ready', () => {
        this.deps.reset();
        sub.subscribe(CHANGES_CHANNEL).catch(() => { /* reported by the error handler below */ });
      });
      sub.on('error', (err: Error) => this.warn('identity change subscription failed; retrying', err));
      // Wait briefly for the subscription, so a revocation right after start-up is heard; a Redis
      // that is not there yet must not hold start-up (the poll covers until it comes).
      await Promise.race([
        sub.subscribe(CHANGES_CHANNEL).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, PUBLISH_TIMEOUT_MS).unref()),
      ]);
    }
    if (this.deps.pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), this.deps.pollMs);
      this.timer.unref();
    }
  }

  /** One poll of the database for rows changed since the last one (exposed for tests). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const started = Date.now();
    try {
      const changes = await changedSince(await this.deps.database(), this.since);
      if (!isEmpty(changes)) this.deps.apply(changes);
      this.since = started - OVERLAP_MS;
      if (this.failingSince !== undefined) {
        this.deps.logger.info('identity database reachable again', { down_ms: Date.now() - this.failingSince });
        this.failingSince = undefined;
      }
    } catch (err) {
      // `since` stays put: nothing changed meanwhile is skipped once the database answers again.
      this.failingSince ??= started;
      this.warn('identity change poll failed; cached keys keep being served', err as Error);
    } finally {
      this.polling = false;
    }
  }

  private warn(msg: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastWarning < REPEAT_WARNING_MS) return;
    this.lastWarning = now;
    this.deps.logger.warn(msg, { error: err.message, code: (err as { code?: string }).code });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) {
      sub.removeAllListeners('ready');
      await sub.quit().catch(() => sub.disconnect());
    }
  }
}
