// Columns a later migration added: the reports apply no migration (they only read), so a ledger a
// gateway of an earlier version wrote may not have them yet. Read where present; absent, they count
// as their default (0), as they would have been written.
import type { Knex } from 'knex';
import { LEDGER_TABLE } from '../row.js';

/** Of `columns`, those the ledger table has. */
export async function presentColumns<C extends string>(knex: Knex, columns: readonly C[]): Promise<C[]> {
  const present: C[] = [];
  for (const c of columns) if (await knex.schema.hasColumn(LEDGER_TABLE, c)) present.push(c);
  return present;
}
