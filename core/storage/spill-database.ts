// Which database a plugin's spill files (rows or records waiting on local disk for a database that
// is down) are for, so that two configs sharing a directory never replay one database's rows into
// the other's. Used by the ledger's spill file and the marketplace's outbox spill.
import path from 'node:path';

/**
 * The database's identity: a SQLite path resolved from the config's directory (as storage opens
 * it); a PostgreSQL URL without its user and password, so a rotated password
 * (`${SLUICE_DB_PASSWORD}`) does not leave the rows spilled before it to no one.
 */
export function spillDatabase(database: string, configDir: string): string {
  if (database.startsWith('sqlite:')) return database === 'sqlite::memory:' ? database : `sqlite:${path.resolve(configDir, database.slice('sqlite:'.length))}`;
  try {
    const url = new URL(database);
    url.username = '';
    url.password = '';
    if (url.protocol === 'postgresql:') url.protocol = 'postgres:';
    return url.toString();
  } catch {
    return database;
  }
}
