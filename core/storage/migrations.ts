// Plugin migrations through knex's migrator, one history table for all plugins. A migration is
// named `<plugin>/<name>`; knex's lock table keeps instances that start together from racing.
import type { Knex } from 'knex';

export interface Migration {
  /** Unique within the plugin and sortable: "001_create_rows". Never rename one that has shipped. */
  name: string;
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

export interface PluginMigrations {
  plugin: string;
  migrations: readonly Migration[];
}

export interface MigrationStatus {
  name: string;
  applied: boolean;
}

const TABLE = 'sluice_migrations';

interface Named { name: string; migration: Migration }

function source(sets: readonly PluginMigrations[]): Knex.MigrationSource<Named> {
  const all: Named[] = [];
  for (const { plugin, migrations } of sets) {
    for (const m of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) all.push({ name: `${plugin}/${m.name}`, migration: m });
  }
  return {
    getMigrations: async () => all,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (k: Knex) => m.migration.up(k), down: (k: Knex) => (m.migration.down ?? (async () => { throw new Error(`${m.name} cannot be undone`); }))(k) }),
  };
}

function config(sets: readonly PluginMigrations[]): Knex.MigratorConfig {
  // A plugin taken out of the chain leaves its history behind; that is not corruption.
  return { migrationSource: source(sets), tableName: TABLE, disableMigrationsListValidation: true };
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateLatest(knex: Knex, sets: readonly PluginMigrations[]): Promise<string[]> {
  if (sets.every((s) => s.migrations.length === 0)) return [];
  const [, applied] = await knex.migrate.latest(config(sets)) as [number, string[]];
  return applied;
}

export async function migrationStatus(knex: Knex, sets: readonly PluginMigrations[]): Promise<MigrationStatus[]> {
  const [done, pending] = await knex.migrate.list(config(sets)) as [{ name: string }[], Named[]];
  const applied = new Set(done.map((d) => d.name));
  return [
    ...[...applied].map((name) => ({ name, applied: true })),
    ...pending.map((p) => ({ name: p.name, applied: false })),
  ];
}
