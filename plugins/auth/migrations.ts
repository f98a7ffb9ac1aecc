// The identity tables, the same on SQLite and PostgreSQL. Times are epoch milliseconds in bigint
// columns: one representation on both databases, no time-zone or driver date conversion.
import type { Migration } from '../../core/index.js';

export const TEAMS = 'auth_teams';
export const USERS = 'auth_users';
export const KEYS = 'auth_keys';

export const migrations: Migration[] = [
  {
    name: '001_identity',
    async up(knex) {
      await knex.schema.createTable(TEAMS, (t) => {
        t.increments('id').primary();
        t.string('name', 64).notNullable().unique();
        t.bigInteger('created_at').notNullable();
        // Indexed: every instance asks once a second what changed since it last looked.
        t.bigInteger('updated_at').notNullable().index();
        t.bigInteger('disabled_at').nullable();
      });
      await knex.schema.createTable(USERS, (t) => {
        t.increments('id').primary();
        t.string('name', 254).notNullable().unique();
        t.string('email', 254).nullable();
        t.integer('team_id').nullable().references('id').inTable(TEAMS);
        t.bigInteger('created_at').notNullable();
        t.bigInteger('updated_at').notNullable().index();
        t.bigInteger('disabled_at').nullable();
      });
      await knex.schema.createTable(KEYS, (t) => {
        // The public id (first characters of the key); the key itself is never stored.
        t.string('id', 16).primary();
        t.string('hash', 64).notNullable().unique();
        t.string('name', 200).nullable();
        t.integer('user_id').notNullable().references('id').inTable(USERS).index();
        t.integer('team_id').nullable().references('id').inTable(TEAMS);
        t.string('kind', 16).notNullable().defaultTo('user');
        /** JSON array of model globs; null: every model. */
        t.text('models').nullable();
        t.bigInteger('expires_at').nullable();
        t.integer('rpm').nullable();
        t.integer('tpm').nullable();
        t.double('budget_daily_usd').nullable();
        t.double('budget_monthly_usd').nullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('updated_at').notNullable().index();
        t.bigInteger('revoked_at').nullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists(KEYS);
      await knex.schema.dropTableIfExists(USERS);
      await knex.schema.dropTableIfExists(TEAMS);
    },
  },
  {
    // E-mail user names became case-insensitive (names.ts, normaliseUserName): stored in lower case.
    // A name whose lower-case spelling another row already holds is left as written — two users the
    // old rule made of one address, with their own keys and ledger rows, that only the operator can
    // merge; both stay addressable by their exact names.
    name: '002_email_user_names',
    async up(knex) {
      const rows = await knex(USERS).select('id', 'name').where('name', 'like', '%@%').orderBy('id') as { id: number; name: string }[];
      for (const row of rows) {
        const lower = row.name.toLowerCase();
        if (lower === row.name || await knex(USERS).where({ name: lower }).first('id')) continue;
        // updated_at: running instances see the change and drop the old name from their caches.
        await knex(USERS).where({ id: row.id }).update({ name: lower, updated_at: Date.now() });
      }
    },
  },
];
