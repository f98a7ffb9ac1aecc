// Plugin migrations through knex's migrator, one history table for all plugins. A migration is
// named `<plugin>/<name>`; on PostgreSQL instances that start together migrate one after another.
import type { Knex } from 'knex';
import { isSqlite } from './is-sqlite.js';
import { isStorageUnavailable } from './unavailable.js';

export interface Migration {
  /** Unique within the plugin and sortable: "001_create_rows". Never rename one that has shipped. */
  name: string;
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

export interface PluginMigrations {
  plugin: string;
  migrations: readonly Migration[];
  /** The plugin's position in the chain, so a failed migration is reported at its entry. */
  chainIndex?: number;
}

/**
 * A plugin's migration threw: a bug in it, or a statement the database refused. It names the plugin
 * and the migration so start-up and `sluice migrate` point at the plugin's chain entry, not at
 * storage.database (which was reached). A database that could not be reached is not wrapped.
 */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailed';
  constructor(readonly plugin: string, readonly migration: string, readonly chainIndex: number | undefined, cause: unknown) {
    // The driver's own words, without the SQL knex puts before them, and PostgreSQL's SQLSTATE.
    const text = cause instanceof Error ? cause.message.replace(/^[\s\S]* - /, '') : String(cause);
    const code = (cause as { code?: unknown } | null)?.code;
    super(`migration ${plugin}/${migration} failed: ${text}${typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (${code})` : ''}`, { cause });
  }
}

async function run(step: (knex: Knex) => Promise<void>, knex: Knex, set: PluginMigrations, migration: string): Promise<void> {
  try {
    await step(knex);
  } catch (err) {
    throw isStorageUnavailable(err) ? err : new MigrationFailedError(set.plugin, migration, set.chainIndex, err);
  }
}

export interface MigrationStatus {
  name: string;
  applied: boolean;
}

const TABLE = 'sluice_migrations';

interface Named { name: string; migration: Migration; set: PluginMigrations }

function source(sets: readonly PluginMigrations[]): Knex.MigrationSource<Named> {
  const all: Named[] = [];
  for (const set of sets) {
    for (const m of [...set.migrations].sort((a, b) => a.name.localeCompare(b.name))) all.push({ name: `${set.plugin}/${m.name}`, migration: m, set });
  }
  return {
    getMigrations: async () => all,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({
      up: (k: Knex) => run((x) => m.migration.up(x), k, m.set, m.migration.name),
      down: (k: Knex) => (m.migration.down ?? (async () => { throw new Error(`${m.name} cannot be undone`); }))(k),
    }),
  };
}

function config(sets: readonly PluginMigrations[]): Knex.MigratorConfig {
  // A plugin taken out of the chain leaves its history behind; that is not corruption.
  return { migrationSource: source(sets), tableName: TABLE, disableMigrationsListValidation: true };
}

/**
 * The PostgreSQL advisory lock that instances starting together take in turn to migrate (any
 * fixed number; it names nothing else). knex's own lock table is no help there: it is created by
 * the first migration run, with `CREATE TABLE` after a look that finds none — two instances on a
 * fresh database both look, both create, and one fails to start ("relation sluice_migrations
 * already exists", or pg_type's unique key) — and once it exists knex refuses a second run while
 * the first holds it, where the second should wait and find nothing left to do.
 */
const MIGRATION_LOCK = 7_353_029_117;

/** Applies every pending migration; returns the names applied now. */
export async function migrateLatest(knex: Knex, sets: readonly PluginMigrations[]): Promise<string[]> {
  if (sets.every((s) => s.migrations.length === 0)) return [];
  const latest = async () => (await knex.migrate.latest(config(sets)) as [number, string[]])[1];
  if (isSqlite(knex)) return latest();
  // Held by this transaction's connection until it ends (a crashed instance's with its
  // connection); the migrations run on the pool's other connections meanwhile.
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    return latest();
  });
}

export async function migrationStatus(knex: Knex, sets: readonly PluginMigrations[]): Promise<MigrationStatus[]> {
  const [done, pending] = await knex.migrate.list(config(sets)) as [{ name: string }[], Named[]];
  const applied = new Set(done.map((d) => d.name));
  return [
    ...[...applied].map((name) => ({ name, applied: true })),
    ...pending.map((p) => ({ name: p.name, applied: false })),
  ];
}
