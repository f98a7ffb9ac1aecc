// Where a `sqlite:PATH` database lives: apart from database.ts so the CLI can ask without loading knex.
import path from 'node:path';

/** The file of a `sqlite:PATH` database (PATH relative to `baseDir`), `:memory:` as is; undefined for another database. */
export function sqliteFileOf(url: string, baseDir: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const rel = url.slice('sqlite:'.length);
  return rel === ':memory:' ? rel : path.resolve(baseDir, rel);
}
