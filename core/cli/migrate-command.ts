// `sluice migrate [--status]`: the chain's plugin migrations against the config's database.
import type { Knex } from 'knex';
import { configFile } from './config-file.js';
import { streamsOf, type Io } from './io.js';
import { table } from './table.js';
import { parseCommand, stringValue, USAGE } from './usage.js';

export async function migrateCommand(args: string[], io: Io): Promise<number> {
  const { values, help } = parseCommand(args, USAGE.migrate, { config: { type: 'string', short: 'c' }, status: { type: 'boolean' }, json: { type: 'boolean' } });
  if (help) { io.out(USAGE.migrate); return 0; }
  const [{ loadConfigFile }, { validateConfig }, { migrationsOf }, { openDatabase }, { migrateLatest, migrationStatus }, { commandLogger }, { storageFailure }] = await Promise.all([
    import('../config/load.js'), import('./validate.js'), import('../plugin/services.js'), import('../storage/database.js'), import('../storage/migrations.js'),
    import('./command-logger.js'), import('./storage-failure.js'),
  ]);
  const loaded = await loadConfigFile(configFile(stringValue(values, 'config')));
  // Only a config that would start is migrated for: what validate refuses is refused here, at its line.
  const sets = migrationsOf((await validateConfig(loaded)).plugins);
  let knex: Knex | undefined;
  try {
    // knex's own messages go to the log, on stderr: without a logger knex prints them on stdout.
    knex = openDatabase(loaded.config.storage.database, loaded.dir, commandLogger(loaded.config.logging.level, () => streamsOf(io).stderr).child({ command: 'migrate' }));
    if (values['status'] === true) {
      const rows = await migrationStatus(knex, sets);
      if (values['json'] === true) io.out(JSON.stringify(rows));
      else io.out(rows.length ? table(rows.map((r) => ({ migration: r.name, applied: r.applied ? 'yes' : 'no' })), ['migration', 'applied']) : 'no plugin in the chain has migrations');
      return 0;
    }
    const applied = await migrateLatest(knex, sets);
    if (values['json'] === true) io.out(JSON.stringify({ applied }));
    else io.out(applied.length ? `applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}` : 'nothing to migrate: the database is up to date');
    return 0;
  } catch (err) {
    // The config was fine; the database was not there.
    const storage = storageFailure(err, loaded);
    io.err(`sluice: ${storage ? storage.message : `cannot reach the database: ${(err as { code?: string }).code ?? (err as Error).message}`}`);
    return 2;
  } finally {
    await knex?.destroy();
  }
}
