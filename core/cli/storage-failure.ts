// A database that cannot be reached is the operator's to fix, not a bug: the CLI says so in one line
// that points at the setting in the config file, names it, shows the URL (password masked) and the
// cause, instead of the driver's error and its stack.
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load.js';
import { isStorageConnectionError, maskUrl } from '../storage/connection-error.js';
import { MigrationFailedError } from '../storage/migrations.js';

/** The one line for `err` when it is a storage connection failure under `loaded`; undefined for anything else. */
export function storageFailure(err: unknown, loaded: LoadedConfig): ConfigError | undefined {
  // The database was reached and a plugin's migration failed in it: the plugin's to fix, at its entry.
  if (err instanceof MigrationFailedError) {
    return new ConfigError(`plugin ${err.plugin}: ${err.message}`, loaded.locate(err.chainIndex === undefined ? ['chain'] : ['chain', err.chainIndex]));
  }
  if (isStorageConnectionError(err)) {
    return new ConfigError(`${err.setting}: ${err.message}`, loaded.locate(err.setting.split('.')));
  }
  // A host that drops packets never refuses: the connection attempt outlasts knex's acquire timeout,
  // whose message ("the pool is probably full…") blames the code. Only knex throws it, and the only
  // knex a command or start-up has is storage.database's.
  if (err instanceof Error && err.name === 'KnexTimeoutError') {
    const url = maskUrl(loaded.config.storage.database);
    return new ConfigError(`storage.database: cannot connect to ${url}: no connection within knex's acquire timeout (the host may drop packets)`, loaded.locate(['storage', 'database']));
  }
  // knex's migrator could not take its lock: on SQLite, another process held the file's write lock
  // longer than the connection waits (5 s: another `sluice migrate`, a tool in a write transaction).
  // The migrations run in one transaction with the lock taken and freed inside it, so a crash never
  // leaves the lock taken: trying again is the remedy, not knex's `migrate:unlock`.
  if (err instanceof Error && err.name === 'MigrationLocked') {
    const url = maskUrl(loaded.config.storage.database);
    const cause = err.message.split('\n')[0]!.replace(/^.* - /, '');
    return new ConfigError(`storage.database: cannot apply migrations to ${url}: the database stayed locked by another connection (${cause}); try again once it is free`, loaded.locate(['storage', 'database']));
  }
  // PostgreSQL refused a query (a role without SELECT, say): its own words and SQLSTATE, not the SQL
  // knex puts before them.
  const refused = err as { message?: unknown; code?: unknown; severity?: unknown } | null;
  if (err instanceof Error && typeof refused?.code === 'string' && /^[0-9A-Z]{5}$/.test(refused.code) && typeof refused.severity === 'string') {
    const url = maskUrl(loaded.config.storage.database);
    return new ConfigError(`storage.database: ${url}: ${err.message.replace(/^[\s\S]* - /, '')} (${refused.code})`, loaded.locate(['storage', 'database']));
  }
  return undefined;
}
