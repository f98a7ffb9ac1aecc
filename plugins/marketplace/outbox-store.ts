// The outbox table: records go in idempotently (a replayed insert is skipped), come out oldest
// first while unsent, and are marked sent only with the ids the marketplace acknowledged.
import type { Knex } from 'knex';
import { storableText } from '../../core/index.js';
import { OUTBOX_TABLE } from './migrations.js';
import type { UsageRecord } from './protocol.js';

/** Rows per INSERT: 14 columns × 500 stays well under PostgreSQL's 65,535 bound parameters. */
const ROWS_PER_INSERT = 500;
/** Ids per UPDATE … WHERE id IN (…). */
const IDS_PER_UPDATE = 500;

interface OutboxRow {
  id: string; time_ms: number | string; direction: string | null; offer_id: string | null; provider: string | null; model: string | null;
  input_tokens: number | string; output_tokens: number | string; cached_read_tokens: number | string; cache_write_tokens: number | string;
  reasoning_tokens: number | string; cost_usd: number | string | null;
}

const num = (v: number | string | null | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0));
/** Within the column, NUL as U+FFFD: a buyer's model name is client-chosen, and PostgreSQL refuses a NUL (and with it the whole insert). */
const cut = (v: string | null, n: number) => (v === null ? v : storableText(v, n));
const whole = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.round(v)) : 0);

function toRow(r: UsageRecord): Record<string, unknown> {
  return {
    id: r.id.slice(0, 128), time_ms: Date.parse(r.time), direction: r.direction, offer_id: cut(r.offer_id, 128), provider: cut(r.provider, 128), model: cut(r.model, 256),
    input_tokens: whole(r.input_tokens), output_tokens: whole(r.output_tokens), cached_read_tokens: whole(r.cached_read_tokens),
    cache_write_tokens: whole(r.cache_write_tokens), reasoning_tokens: whole(r.reasoning_tokens),
    cost_usd: r.cost_usd !== null && Number.isFinite(r.cost_usd) ? r.cost_usd : null, sent_ms: null,
  };
}

function fromRow(r: OutboxRow): UsageRecord {
  return {
    id: r.id, time: new Date(num(r.time_ms)).toISOString(), direction: r.direction as UsageRecord['direction'], offer_id: r.offer_id,
    provider: r.provider, model: r.model, input_tokens: num(r.input_tokens), output_tokens: num(r.output_tokens),
    cached_read_tokens: num(r.cached_read_tokens), cache_write_tokens: num(r.cache_write_tokens), reasoning_tokens: num(r.reasoning_tokens),
    cost_usd: r.cost_usd === null ? null : num(r.cost_usd),
  };
}

export interface OutboxStore {
  insert(records: readonly UsageRecord[]): Promise<void>;
  /** Unsent records, oldest first. */
  unsent(limit: number): Promise<UsageRecord[]>;
  markSent(ids: readonly string[], at: number): Promise<void>;
  /** Unsent records and the time of the oldest. */
  depth(): Promise<{ unsent: number; oldestMs: number | undefined }>;
  /** Deletes records sent before `before` (the outbox is not an archive: the ledger is). */
  prune(before: number): Promise<number>;
}

export function outboxStore(database: () => Promise<Knex>): OutboxStore {
  return {
    async insert(records) {
      const knex = await database();
      for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
        await knex(OUTBOX_TABLE).insert(records.slice(i, i + ROWS_PER_INSERT).map(toRow)).onConflict('id').ignore();
      }
    },
    async unsent(limit) {
      const knex = await database();
      const rows = await knex(OUTBOX_TABLE).whereNull('sent_ms').orderBy([{ column: 'time_ms' }, { column: 'id' }]).limit(limit).select<OutboxRow[]>('*');
      return rows.map(fromRow);
    },
    async markSent(ids, at) {
      const knex = await database();
      for (let i = 0; i < ids.length; i += IDS_PER_UPDATE) {
        await knex(OUTBOX_TABLE).whereIn('id', ids.slice(i, i + IDS_PER_UPDATE)).whereNull('sent_ms').update({ sent_ms: at });
      }
    },
    async depth() {
      const knex = await database();
      const row = await knex(OUTBOX_TABLE).whereNull('sent_ms').count<{ n: number | string }[]>({ n: '*' }).min<{ oldest: number | string | null }[]>({ oldest: 'time_ms' }).first() as { n: number | string; oldest: number | string | null } | undefined;
      return { unsent: num(row?.n), oldestMs: row?.oldest === null || row?.oldest === undefined ? undefined : num(row.oldest) };
    },
    async prune(before) {
      const knex = await database();
      return await knex(OUTBOX_TABLE).whereNotNull('sent_ms').where('sent_ms', '<', before).delete();
    },
  };
}
