// The marketplace's tables, the same on SQLite and PostgreSQL: the outbox of usage records waiting
// for (or already given) the marketplace's acknowledgement, and the sync status `sluice marketplace
// status` reads.
import type { Migration } from '../../core/index.js';

export const OUTBOX_TABLE = 'marketplace_outbox';
export const STATUS_TABLE = 'marketplace_status';

export const marketplaceMigrations: Migration[] = [
  {
    name: '001_outbox_and_status',
    async up(knex) {
      await knex.schema.createTable(OUTBOX_TABLE, (t) => {
        // The record id (record-id.ts: one a request, kept across retries): inserting a record twice is
        // a no-op, and the marketplace dedupes by it.
        t.string('id', 128).primary();
        t.bigInteger('time_ms').notNullable();
        t.string('direction', 16);
        t.string('offer_id', 128);
        t.string('provider', 128);
        t.string('model', 256);
        t.bigInteger('input_tokens').notNullable().defaultTo(0);
        t.bigInteger('output_tokens').notNullable().defaultTo(0);
        t.bigInteger('cached_read_tokens').notNullable().defaultTo(0);
        t.bigInteger('cache_write_tokens').notNullable().defaultTo(0);
        t.bigInteger('reasoning_tokens').notNullable().defaultTo(0);
        t.double('cost_usd');
        // Null until the marketplace accepted the record (or said it already had it).
        t.bigInteger('sent_ms');
        t.index(['sent_ms', 'time_ms'], 'marketplace_outbox_sent_time');
      });
      await knex.schema.createTable(STATUS_TABLE, (t) => {
        // push, pull, publish, offers
        t.string('kind', 32).primary();
        t.bigInteger('time_ms').notNullable();
        t.smallint('ok').notNullable();
        t.string('result', 64).notNullable();
        t.text('detail');
        t.bigInteger('last_ok_ms');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists(OUTBOX_TABLE);
      await knex.schema.dropTableIfExists(STATUS_TABLE);
    },
  },
];
