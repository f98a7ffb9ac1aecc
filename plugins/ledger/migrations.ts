// The ledger's table, the same on SQLite and PostgreSQL. Times are epoch ms (bigint) plus a UTC day
// string, so reports filter and group the same way on both without date functions.
import type { Knex } from 'knex';
import type { Migration } from '../../core/index.js';
import { LEDGER_TABLE } from './row.js';

export const ledgerMigrations: Migration[] = [
  {
    name: '001_create_requests',
    async up(knex) {
      await knex.schema.createTable(LEDGER_TABLE, (t) => {
        t.string('request_id', 128).primary();
        t.bigInteger('time_ms').notNullable();
        t.string('day', 10).notNullable();
        t.string('user_id', 256);
        t.string('team_id', 256);
        t.string('key_id', 128);
        t.string('session_id', 256);
        t.string('client_address', 64);
        t.string('method', 16).notNullable();
        t.string('path', 512).notNullable();
        t.string('endpoint', 64);
        t.string('client_protocol', 64);
        t.string('requested_model', 256);
        t.string('served_model', 256);
        t.string('provider', 128);
        t.integer('fallbacks').notNullable().defaultTo(0);
        t.text('fallback_detail');
        t.smallint('stream').notNullable().defaultTo(0);
        t.integer('status').notNullable();
        t.string('outcome', 32).notNullable();
        t.string('error_code', 96);
        t.bigInteger('input_tokens').notNullable().defaultTo(0);
        t.bigInteger('output_tokens').notNullable().defaultTo(0);
        t.bigInteger('cache_read_tokens').notNullable().defaultTo(0);
        t.bigInteger('cache_write_tokens').notNullable().defaultTo(0);
        t.bigInteger('reasoning_tokens').notNullable().defaultTo(0);
        t.string('usage_source', 16).notNullable();
        t.double('cost_input');
        t.double('cost_output');
        t.double('cost_cache_read');
        t.double('cost_cache_write');
        t.double('cost_reasoning');
        t.double('cost_total');
        t.bigInteger('local_input_tokens');
        t.bigInteger('local_output_tokens');
        t.string('local_method', 32);
        t.smallint('count_mismatch').notNullable().defaultTo(0);
        t.double('ttfb_ms');
        t.double('latency_ms').notNullable();
        t.double('output_tps');
        t.text('findings');
        // The reports: a time range first, then per user / team / key / session, and the audit's
        // provider and model by day.
        t.index(['time_ms'], 'ledger_requests_time');
        t.index(['day', 'provider', 'served_model'], 'ledger_requests_day_provider_model');
        t.index(['user_id', 'time_ms'], 'ledger_requests_user_time');
        t.index(['team_id', 'time_ms'], 'ledger_requests_team_time');
        t.index(['key_id', 'time_ms'], 'ledger_requests_key_time');
        t.index(['session_id', 'time_ms'], 'ledger_requests_session_time');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists(LEDGER_TABLE);
    },
  },
  {
    // Marketplace rows: what was bought from an offer (consumed) and what was sold to a buyer (supplied).
    name: '002_marketplace_direction',
    async up(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        t.string('direction', 16);
        t.string('offer_id', 128);
      });
    },
    async down(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        t.dropColumn('direction');
        t.dropColumn('offer_id');
      });
    },
  },
  {
    // Every row pays for every index (a B-tree insert, and in SQLite more pages per commit), and the
    // reports read by time range (usage --session by session) and group in memory: these four were
    // never read. The time and session indexes stay.
    name: '003_drop_unread_indexes',
    async up(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        for (const [columns, name] of UNREAD_INDEXES) t.dropIndex(columns, name);
      });
    },
    async down(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        for (const [columns, name] of UNREAD_INDEXES) t.index(columns, name);
      });
    },
  },
  {
    // Only `usage --session ID` reads this index, and never for rows without a session (most rows,
    // all but agents' requests), yet every row paid its B-tree insert. Partial: rows with a session
    // only. `session_id = ?` implies `session_id is not null`, so SQLite and PostgreSQL both still
    // use it for that query (checked with EXPLAIN on both).
    name: '004_partial_session_index',
    async up(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        t.dropIndex(SESSION_INDEX[0], SESSION_INDEX[1]);
        t.index(SESSION_INDEX[0], SESSION_INDEX[1], { predicate: knex.whereNotNull('session_id') });
      });
    },
    async down(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        t.dropIndex(SESSION_INDEX[0], SESSION_INDEX[1]);
        t.index(SESSION_INDEX[0], SESSION_INDEX[1]);
      });
    },
  },
  {
    // Two requests with one client-supplied id, refused in the same millisecond with the same
    // latency to the µs, looked like one request written twice, and the second was skipped: each
    // row now carries its request's own key (store.ts).
    name: '005_arrival_key',
    async up(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { t.string('arrival_key', 40); });
    },
    async down(knex) {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { t.dropColumn('arrival_key'); });
    },
  },
  {
    // The service tier that served a request (priced apart: flex, priority, batch) and its calls
    // billed per request (web search, web fetch) with their cost. Additive; a column already there
    // (added by hand, or a run cut short on a database without transactional DDL) is left as it is.
    name: '006_tier_and_fees',
    async up(knex) {
      const missing = await missingColumns(knex, TIER_AND_FEES.map(([name]) => name));
      if (missing.length === 0) return;
      await knex.schema.alterTable(LEDGER_TABLE, (t) => {
        for (const [name, add] of TIER_AND_FEES) if (missing.includes(name)) add(t);
      });
    },
    async down(knex) {
      const present = TIER_AND_FEES.map(([name]) => name);
      const missing = await missingColumns(knex, present);
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { for (const name of present) if (!missing.includes(name)) t.dropColumn(name); });
    },
  },
  {
    // The model the provider's answer named, beside the one it was asked for (served_model): the
    // evidence of a downgrade the request did not choose (the audit counts them). Additive, as 006.
    name: '007_answered_model',
    async up(knex) {
      if ((await missingColumns(knex, ['answered_model'])).length === 0) return;
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { t.string('answered_model', 256); });
    },
    async down(knex) {
      if ((await missingColumns(knex, ['answered_model'])).length !== 0) return;
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { t.dropColumn('answered_model'); });
    },
  },
];

type Builder = Parameters<Parameters<Knex['schema']['alterTable']>[1]>[0];
const TIER_AND_FEES: [string, (t: Builder) => void][] = [
  ['service_tier', (t) => { t.string('service_tier', 32); }],
  ['web_search_calls', (t) => { t.integer('web_search_calls').notNullable().defaultTo(0); }],
  ['web_fetch_calls', (t) => { t.integer('web_fetch_calls').notNullable().defaultTo(0); }],
  ['cost_fees', (t) => { t.double('cost_fees'); }],
];

/** One at a time: a migration's knex is one transaction's connection, and pg refuses queries sent on top of each other there. */
async function missingColumns(knex: Knex, names: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const n of names) if (!await knex.schema.hasColumn(LEDGER_TABLE, n)) missing.push(n);
  return missing;
}

const SESSION_INDEX: [string[], string] = [['session_id', 'time_ms'], 'ledger_requests_session_time'];

/** Indexes of 001 that no report reads. */
const UNREAD_INDEXES: [string[], string][] = [
  [['day', 'provider', 'served_model'], 'ledger_requests_day_provider_model'],
  [['user_id', 'time_ms'], 'ledger_requests_user_time'],
  [['team_id', 'time_ms'], 'ledger_requests_team_time'],
  [['key_id', 'time_ms'], 'ledger_requests_key_time'],
];
