// docs/ledger.md and plugins/ledger/README.md are what users and held-out suites read: each names
// what the code has (columns with their types, options with their defaults, the commands' usage
// lines), so a column, option or flag added without its documentation fails here.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { AUDIT_COLUMNS, AUDIT_HELP, SESSION_COLUMNS, USAGE_COLUMNS, USAGE_HELP } from '../../../plugins/ledger/commands.js';
import { auditJson, auditReport } from '../../../plugins/ledger/reports/audit.js';
import { GROUPINGS } from '../../../plugins/ledger/reports/groupings.js';
import { sessionJson, sessionReport, usageJson, usageReport } from '../../../plugins/ledger/reports/usage.js';
import { createMetrics } from '../../../core/observability/metrics.js';
import { ledgerMetrics } from '../../../plugins/ledger/metrics.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { LEDGER_TABLE, type LedgerRow } from '../../../plugins/ledger/row.js';
import { tempDir } from '../../helpers/gateway.js';
import { PG, pgSchema } from './rig.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The rows of the Markdown table that follows `heading`, as cells (the header and rule left out). */
function tableAfter(doc: string, heading: string): string[][] {
  const lines = doc.split('\n');
  let i = lines.indexOf(heading);
  expect(i, heading).to.be.greaterThan(-1);
  while (!lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (i += 2; lines[i]?.startsWith('|'); i++) rows.push(lines[i]!.slice(1, -1).split(' | ').map((c) => c.trim()));
  return rows;
}

/** The `names` in a cell such as "`user_id`, `team_id`, `key_id`". */
const codeNames = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The documented columns: name → "type" or "type, not null", as written ("text (JSON)" is text). */
function documentedColumns(): Map<string, string> {
  const documented = new Map<string, string>();
  for (const [columns, type] of tableAfter(read('docs/ledger.md'), '## Columns of `ledger_requests`')) {
    const names = codeNames(columns!);
    if (names.length === 0) continue; // a note on a group of columns: "(token columns)"
    // "varchar(16), varchar(512); not null": one type per name, and what follows the ';' for all.
    const [types, all] = type!.split('; ');
    const each = types!.split(', ').filter((t) => t !== 'not null').map((t) => t.replace(/ \(JSON\)$/, ''));
    const notNull = all === 'not null' || type!.endsWith(', not null');
    names.forEach((n, k) => documented.set(n, `${each[Math.min(k, each.length - 1)]!}${notNull ? ', not null' : ''}`));
  }
  return documented;
}

/** The migrated table's columns in the docs' words: SQLite has no smallint or double of its own (they read as integer and float). */
async function actualColumns(knex: Knex): Promise<Map<string, string>> {
  const notNull = (n: boolean) => (n ? ', not null' : '');
  if (knex.client.config.client === 'pg') {
    const r = await knex.raw('select column_name, data_type, character_maximum_length, is_nullable from information_schema.columns where table_name = ? and table_schema = current_schema()', [LEDGER_TABLE]) as
      { rows: { column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string }[] };
    const type = (c: (typeof r.rows)[number]) => (c.data_type === 'character varying' ? `varchar(${c.character_maximum_length})` : c.data_type === 'double precision' ? 'double' : c.data_type);
    return new Map(r.rows.map((c) => [c.column_name, `${type(c)}${notNull(c.is_nullable === 'NO')}`]));
  }
  const info = await knex.raw(`pragma table_info(${LEDGER_TABLE})`) as { name: string; type: string; notnull: number }[];
  return new Map(info.map((c) => [c.name, `${c.type.toLowerCase()}${notNull(c.notnull === 1 || c.name === 'request_id')}`]));
}
const asSqlite = (type: string) => type.replace(/^smallint/, 'integer').replace(/^double/, 'float');

describe('the ledger docs name what the code has', () => {
  const databases: [string, () => Promise<{ knex: Knex; drop(): Promise<void> }>][] = [
    ['SQLite', async () => ({ knex: openDatabase('sqlite:./docs.db', tempDir('sluice-ledger-docs-')), drop: async () => {} })],
  ];
  const pg = PG;
  if (pg) databases.push(['PostgreSQL', async () => { const schema = await pgSchema(pg); return { knex: openDatabase(schema.url, process.cwd()), drop: schema.drop }; }]);
  for (const [name, open] of databases) {
    it(`docs/ledger.md: every column of ledger_requests on ${name}, with its type and nullability, and no column the table lacks`, async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const documented = [...documentedColumns()].map(([c, t]) => [c, name === 'SQLite' ? asSqlite(t) : t]);
        expect(Object.fromEntries(documented)).to.deep.equal(Object.fromEntries(await actualColumns(knex)));
      } finally {
        await knex.destroy();
        await drop();
      }
    });
  }

  it("plugins/ledger/README.md's Commands block is the commands' own usage lines (sluice usage --help, sluice audit --help)", () => {
    const readme = read('plugins/ledger/README.md');
    const block = /## Commands\n\n```\n([^`]*)```/.exec(readme)?.[1];
    expect(block, 'the Commands block').to.be.a('string');
    const usageLines = (help: string) => help.split('\n\n')[0]!.split('\n').map((l) => l.replace(/^(Usage:)?\s+/, '').replace(/^Usage: /, ''));
    expect(block!.trim().split('\n')).to.deep.equal([...usageLines(USAGE_HELP), ...usageLines(AUDIT_HELP)]);
  });

  it("plugins/ledger/README.md's options table: every option of config/sluice.schema.json's ledger, with its default and its range", () => {
    interface Prop { default?: unknown; properties?: Record<string, Prop>; anyOf?: Prop[]; minimum?: number; maximum?: number }
    const schema = JSON.parse(read('config/sluice.schema.json')) as { definitions: Record<string, Prop> };
    const options = new Map<string, Prop>();
    const walk = (props: Record<string, Prop>, prefix: string) => {
      for (const [name, p] of Object.entries(props)) {
        if (p.properties) walk(p.properties, `${prefix}${name}.`);
        else options.set(`${prefix}${name}`, { ...p, ...p.anyOf?.[0] });
      }
    };
    walk(schema.definitions['ledger.options']!.properties!, '');
    const rows = new Map(tableAfter(read('plugins/ledger/README.md'), '## Options').map(([name, def, meaning]) => [codeNames(name!)[0]!, { def: def!, meaning: meaning! }]));
    expect([...rows.keys()].sort()).to.deep.equal([...options.keys()].sort());
    for (const [name, p] of options) {
      const row = rows.get(name)!;
      expect(row.def.replace(/`/g, ''), `${name}'s default`).to.equal(p.default === undefined ? '(unset: keep every row)' : String(p.default));
      if (p.minimum === undefined) continue;
      const range = p.maximum !== undefined ? `\\b${p.minimum}–${p.maximum}\\b` : `(At least ${p.minimum}|\\b${p.minimum} or more)\\b`;
      expect(row.meaning, `${name}'s range`).to.match(new RegExp(range));
    }
  });

  it("docs/ledger.md's Reports: every field of the usage, session and audit reports (JSON keys, CSV columns) by its name", async () => {
    const knex = openDatabase('sqlite:./reports.db', tempDir('sluice-ledger-docs-'));
    try {
      await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      const range = { from: 0, to: Date.now() };
      const doc = read('docs/ledger.md');
      const reports = doc.slice(doc.indexOf('## Reports'), doc.indexOf('\n## ', doc.indexOf('## Reports') + 1));
      const usage = usageJson(await usageReport(knex, range, 'model'));
      const session = sessionJson(await sessionReport(knex, range, 's-1'));
      const audit = auditJson(await auditReport(knex, range, { degradationFactor: 1.5, baselineDays: 7 }));
      const names = new Set([
        ...Object.keys(usage), ...Object.keys(usage.total), ...Object.keys(session), ...Object.keys(audit),
        ...GROUPINGS, ...USAGE_COLUMNS, ...SESSION_COLUMNS, ...AUDIT_COLUMNS,
      ]);
      const missing = [...names].filter((n) => !reports.includes(`\`${n}\``));
      expect(missing).to.deep.equal([]);
    } finally {
      await knex.destroy();
    }
  });

  it("docs/ledger.md's Metrics: every ledger series on /metrics with its labels and class values, and none the gateway lacks", async () => {
    const metrics = createMetrics();
    const ledger = ledgerMetrics(metrics, () => 0);
    ledger.init();
    const row = { provider: 'p', served_model: 'm', requested_model: 'm', input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cache_write_tokens: 4, reasoning_tokens: 1, count_mismatch: 1 };
    ledger.row({ ...row, cost_total: 0.5 } as LedgerRow);
    ledger.row({ ...row, served_model: 'unpriced', cost_total: null } as LedgerRow);
    ledger.flush();
    ledger.spillRows(0);
    // Each series with its label names, as the exposition gives it; the class values apart.
    const exposed = new Map<string, string[]>();
    const classes = new Set<string>();
    for (const line of (await metrics.render()).split('\n')) {
      const m = /^(sluice_ledger_\w+?)(?:\{(.*)\})? /.exec(line);
      if (!m) continue;
      const labels = [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)];
      exposed.set(m[1]!, labels.map((l) => l[1]!));
      for (const l of labels) if (l[1] === 'class') classes.add(l[2]!);
    }
    const doc = read('docs/ledger.md');
    const section = doc.slice(doc.indexOf('## Metrics'));
    const documented = new Map([...section.matchAll(/`(sluice_ledger_\w+)(?:\{([\w,]*)\})?`/g)].map((m) => [m[1]!, m[2] ? m[2].split(',') : []]));
    expect(Object.fromEntries(documented)).to.deep.equal(Object.fromEntries(exposed));
    for (const c of classes) expect(section, `class="${c}"`).to.include(`\`${c}\``);
  });
});
