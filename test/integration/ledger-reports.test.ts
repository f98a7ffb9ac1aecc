// `sluice usage` and `sluice audit` (the real CLI) and GET /admin/usage on a database filled by a
// gateway run whose upstream bills known figures: the reports print exactly those figures. A few
// commands run as child processes (real stdout, exit codes, a reader gone); the rest through the
// same main() in-process, without a Node start-up each.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PRICES } from '../../core/pricing/default-prices.js';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { STACK_FRAME, bin, cleanEnv, sluiceInProcess, sluiceReaderGone } from '../cli/run-cli.js';
import { startGateway, tempDir } from '../helpers/gateway.js';
import { until } from '../plugins/ledger/client.js';
import { PG, pgSchema } from '../plugins/ledger/rig.js';
import { openDatabase } from '../../core/storage/database.js';
import { ANTHROPIC_HOUR_WRITES, startUsageUpstream } from '../plugins/ledger/usage-upstream.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef';

/** bin/sluice.js as a child process. */
function sluiceChild(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
}

/** The same command in-process. */
const sluice = (args: string[]) => sluiceInProcess(args);

describe('ledger reports on a database filled by a gateway run', function () {
  this.timeout(90_000);
  let dir: string;
  let file: string;
  const prices = createPriceTable(DEFAULT_PRICES);
  // What the usage upstream bills per request (see usage-upstream.ts).
  const openaiCost = prices.cost({ inputTokens: 100, cacheReadTokens: 30, cacheWriteTokens: 0, outputTokens: 50, reasoningTokens: 10, estimated: false }, 'gpt-4o-mini')!.total;
  const claudeCost = prices.cost({ inputTokens: 100, cacheReadTokens: 30, cacheWriteTokens: 20, cacheWrite1hTokens: ANTHROPIC_HOUR_WRITES, outputTokens: 50, reasoningTokens: 0, estimated: false }, 'claude-sonnet-4-5')!.total;
  let adminUsage: unknown;
  let adminSession: unknown;

  before(async () => {
    const up = await startUsageUpstream();
    dir = tempDir('sluice-ledger-reports-');
    file = path.join(dir, 'sluice.yaml');
    const gw = await startGateway(`server: { shutdown_grace_ms: 500 }
storage: { database: "sqlite:./ledger.db" }
logging: { level: warn }
admin: { key: ${ADMIN_KEY} }
providers:
  local: { type: loopback }
  up-chat: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }
  up-anthropic: { type: anthropic, base_url: "${up.origin}", api_key: k }
  up-house: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }
chain:
  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: up-chat }
        - { match: "claude-*", provider: up-anthropic }
        - { match: "house-*", provider: up-house }
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    const send = (model: string, session: string, stream = false) => fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-session-id': session },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'What is the answer?' }], stream }),
    }).then((r) => r.text());
    try {
      await send('gpt-4o-mini', 's-1');
      await send('gpt-4o-mini', 's-1', true);
      await send('claude-sonnet-4-5', 's-1');
      await send('gpt-4o-mini', 's-2');
      await send('claude-sonnet-4-5', 's-2', true);
      await send('local-model', 's-2'); // loopback: tokens, and it charges nothing
      await send('house-model', 's-2'); // billed by an upstream, but no price for the model
      await fetch(`${gw.url}/v1/nowhere`, { method: 'POST' }); // a 404: a row, no model
      // Rows are written off the request path: wait for the eighth.
      await until(async () => {
        const res = await fetch(`${gw.url}/admin/usage?by=model&since=1d`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        adminUsage = await res.json();
        return (adminUsage as { total: { requests: number } }).total.requests === 8;
      });
      const bad = await fetch(`${gw.url}/admin/usage?by=colour`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(bad.status).to.equal(400);
      expect(await bad.json()).to.have.nested.property('error.param', 'by');
      // A misspelt parameter would otherwise widen the report silently.
      const typo = await fetch(`${gw.url}/admin/usage?sinse=30d`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(typo.status).to.equal(400);
      expect(await typo.json()).to.have.nested.property('error.param', 'sinse');
      const order = await fetch(`${gw.url}/admin/audit?since=2026-12-01&until=2026-11-01`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(order.status).to.equal(400);
      const body = await order.json() as { error: { param: string; message: string } };
      expect(body.error.param).to.equal('until');
      expect(body.error.message).to.not.include('--');
      // A parameter given twice would be answered for one of the two: refused, naming it.
      const twice = await fetch(`${gw.url}/admin/usage?since=7d&since=2w`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(twice.status).to.equal(400);
      expect(await twice.json()).to.have.nested.property('error.param', 'since');
      const huge = await fetch(`${gw.url}/admin/audit?since=999999999999999999999d`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(huge.status, 'a duration beyond what a date holds is the caller\'s error').to.equal(400);
      expect(await huge.json()).to.have.nested.property('error.param', 'since');
      adminSession = await (await fetch(`${gw.url}/admin/usage?session=s-1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
    } finally {
      await gw.close();
      await up.close();
    }
  });

  it('sluice usage --by model --json: requests, every token class and cost per model; unpriced counted, not 0', async () => {
    const r = sluiceChild(['usage', '--config', file, '--by', 'model', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; total: Record<string, unknown> };
    const row = (m: string) => report.rows.find((x) => x['model'] === m)!;
    expect(row('gpt-4o-mini')).to.include({ requests: 3, errors: 0, input_tokens: 300, cache_read_tokens: 90, cache_write_tokens: 0, output_tokens: 150, reasoning_tokens: 30, unpriced: 0, estimated: 0 });
    expect(row('gpt-4o-mini')['cost_usd']).to.be.closeTo(3 * openaiCost, 1e-9);
    expect(row('claude-sonnet-4-5')).to.include({ requests: 2, input_tokens: 200, cache_read_tokens: 60, cache_write_tokens: 40, output_tokens: 100, reasoning_tokens: 0 });
    expect(row('claude-sonnet-4-5')['cost_usd']).to.be.closeTo(2 * claudeCost, 1e-9);
    // The built-in model charges nothing: a known cost of 0, not an unpriced row.
    expect(row('local-model')).to.include({ requests: 1, unpriced: 0, cost_usd: 0 });
    // Only unpriced rows: the cost is unknown (null), not 0.
    expect(row('house-model')).to.include({ requests: 1, unpriced: 1, cost_usd: null, input_tokens: 100 });
    // Rows without a model (the 404) are one group, null in JSON (a model may be named anything).
    expect(row(null as unknown as string)).to.include({ requests: 1, errors: 1 });
    expect(report.total).to.include({ requests: 8, errors: 1, input_tokens: 600 + Number(row('local-model')['input_tokens']), unpriced: 1 });
    expect(report.total['cost_usd']).to.be.closeTo(3 * openaiCost + 2 * claudeCost, 1e-9);
    expect(row('gpt-4o-mini')['p50_latency_ms']).to.be.a('number');
    // The admin API answers the same figures.
    expect((adminUsage as { rows: unknown[] }).rows).to.deep.equal(report.rows);
  });

  it('sluice usage prints a table by default and CSV with --csv', async () => {
    const t = await sluice(['usage', '--config', file, '--by', 'provider']);
    expect(t.status, t.stderr).to.equal(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^PROVIDER\s+REQUESTS\s+ERRORS/);
    expect(lines.find((l) => l.startsWith('up-chat'))).to.match(/^up-chat\s+3\s+0\s+0\s+0\s+300\s+150\s+90\s+0\s+30\s/);
    expect(lines[lines.length - 1]).to.match(/^TOTAL\s+8\s+1\s/);
    expect(lines.find((l) => l.startsWith('(none)')), 'the table names the group without a provider').to.match(/^\(none\)\s+1\s+1\s/);
    const c = await sluice(['usage', '--config', file, '--by', 'provider', '--csv']);
    expect(c.stdout.split('\n')[0]).to.equal('provider,requests,errors,blocked,disconnects,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,unpriced,estimated,p50_latency_ms,p50_ttfb_ms,web_search_calls,web_fetch_calls');
    expect(c.stdout).to.match(/\nup-anthropic,2,0,0,0,200,100,60,40,0,/);
  });

  it('sluice usage --session ID shows the session turn by turn', async () => {
    const r = await sluice(['usage', '--config', file, '--session', 's-1', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { turns: Record<string, unknown>[]; total: Record<string, unknown> };
    expect(report.turns.map((t) => [t['turn'], t['model']])).to.deep.equal([[1, 'gpt-4o-mini'], [2, 'gpt-4o-mini'], [3, 'claude-sonnet-4-5']]);
    expect(report.total).to.include({ requests: 3, input_tokens: 300, cache_write_tokens: 20 });
    // The same JSON as GET /admin/usage?session= (its range included).
    const admin = adminSession as Record<string, unknown>;
    expect(Object.keys(report)).to.deep.equal(Object.keys(admin));
    expect({ ...report, since: 0, until: 0 }).to.deep.equal({ ...admin, since: 0, until: 0 });
  });

  it('sluice audit --json: one line per day, provider and model with latency, rates and no degradation on day one', async () => {
    const r = sluiceChild(['audit', '--config', file, '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { rows: Record<string, unknown>[] };
    const chatLine = report.rows.find((x) => x['provider'] === 'up-chat')!;
    expect(chatLine).to.include({ model: 'gpt-4o-mini', requests: 3, error_rate: 0, fallback_rate: 0, degraded: false, degradation: null });
    expect(chatLine['ttfb_p50_ms']).to.be.a('number');
    expect(report.rows.map((x) => x['provider']).sort()).to.deep.equal(['local', 'up-anthropic', 'up-chat', 'up-house']);
  });

  it('a reader that stops early (`sluice usage | head -1`) ends the report quietly: exit 0, no EPIPE stack', async () => {
    const { code, stderr } = await sluiceReaderGone(['usage', '--config', file, '--session', 's-1']);
    expect(stderr).to.not.include('EPIPE');
    expect(stderr).to.not.match(STACK_FRAME);
    expect(code).to.equal(0);
  });

  it('bad flags exit 2 with the reason', async () => {
    const r = sluiceChild(['usage', '--config', file, '--by', 'colour']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--by: expected one of user, team, key, model, provider, session, day/);
    const s = await sluice(['usage', '--config', file, '--since', 'yesterday']);
    expect(s.status).to.equal(2);
    expect(s.stderr).to.match(/--since: expected a duration/);
    const u = await sluice(['usage', '--config', file, '--bogus']);
    expect(u.status).to.equal(2);
    expect(u.stderr).to.match(/^sluice: unknown option '--bogus'\n/);
    const both = await sluice(['usage', '--config', file, '--session', 's-1', '--by', 'user']);
    expect(both.status).to.equal(2);
    expect(both.stderr).to.match(/--by: a session report lists its turns/);
    const empty = await sluice(['usage', '--config', file, '--session', '']);
    expect(empty.status).to.equal(2);
    expect(empty.stderr).to.match(/--session: expected a session id/);
    // A repeated flag is a mistake to name, not one to settle by taking the last.
    const twice = await sluice(['audit', '--config', file, '--since', '7d', '--since=2w']);
    expect(twice.status).to.equal(2);
    expect(twice.stderr).to.match(/^sluice: --since: given more than once\n/);
    // A value starting with a dash reads as an option: the message says how to give it.
    const dashed = await sluice(['usage', '--config', file, '--since', '-7d']);
    expect(dashed.status).to.equal(2);
    expect(dashed.stderr).to.match(/^sluice: option '--since' argument is ambiguous: a value starting with '-' is read as an option; write --since=VALUE\n/);
    const given = await sluice(['usage', '--config', file, '--since=-7d']);
    expect(given.stderr).to.match(/^sluice: --since: expected a duration/);
    // …whichever side of --config it is on: core takes --config out without reading `-abc` as flags.
    for (const args of [['--config', file, '--session', '-abc'], ['--session', '-abc', '--config', file]]) {
      const r = await sluice(['usage', ...args]);
      expect(r.status).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(/^sluice: option '--session' argument is ambiguous: .*write --session=VALUE\n/);
    }
    // --config without its value would fall back to another config, silently: refused.
    for (const args of [['--config'], ['--by', 'day', '-c'], ['--config=']]) {
      const r = await sluice(['usage', ...args]);
      expect(r.status, args.join(' ')).to.equal(1);
      expect(r.stderr).to.match(/^sluice: option '(--config|-c)' needs a value: the config file\n/);
    }
    const session = await sluice(['usage', '--session=-abc', '-c', file]);
    expect(session.status, session.stderr).to.equal(0);
    expect(session.stdout.trim()).to.equal('no requests for session -abc in this range');
  });

  it('a report over an embedded database that does not exist says so on stderr, reports nothing, and creates nothing', async () => {
    const missing = path.join(tempDir('sluice-ledger-missing-'), 'nodir', 'x.db');
    const config = path.join(path.dirname(path.dirname(missing)), 'sluice.yaml');
    writeFileSync(config, `storage: { database: "sqlite:${missing}" }\nproviders: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }, { use: ledger }]\n`);
    for (const command of ['usage', 'audit']) {
      const r = await sluice([command, '--config', config, '--json']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal(`sluice: warning: ${config}:1:22: storage.database: no database at ${missing} yet (a gateway creates it when it first starts with this config); nothing to report\n`);
      expect(JSON.parse(r.stdout)).to.have.property('rows').that.deep.equals([]);
    }
    // Help and usage mistakes are answered before any database is looked at: no warning with them.
    const help = await sluice(['usage', '--config', config, '--help']);
    expect(help.status).to.equal(0);
    expect(help.stderr).to.equal('');
    expect(existsSync(path.dirname(missing))).to.equal(false);
  });

  it('a report over a database that holds no ledger says so, reports nothing, and creates no table there (SQLite, PostgreSQL)', async () => {
    const dir = tempDir('sluice-ledger-noledger-');
    const emptyFile = path.join(dir, 'empty.db');
    writeFileSync(emptyFile, '');
    // Another application's SQLite file, in its own journal mode: left byte for byte as it was.
    const otherFile = path.join(dir, 'other.db');
    const other = openDatabase(`sqlite:${otherFile}`, dir);
    await other.raw('pragma journal_mode = delete');
    await other.raw('create table t (x integer)');
    await other.destroy();
    const untouched = [emptyFile, otherFile].map((f) => readFileSync(f));
    const databases = [`sqlite:${emptyFile}`, `sqlite:${otherFile}`];
    const pg = PG ? await pgSchema(PG) : undefined;
    if (pg) databases.push(pg.url);
    try {
      for (const url of databases) {
        const config = path.join(dir, 'sluice.yaml');
        writeFileSync(config, `storage: { database: "${url}" }\nproviders: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }, { use: ledger }]\n`);
        for (const command of ['usage', 'audit']) {
          const r = await sluice([command, '--config', config, '--json']);
          expect(r.status, r.stderr).to.equal(0);
          expect(r.stderr).to.match(/^sluice: warning: .*sluice\.yaml:1:22: storage\.database .*: no ledger tables in this database .*nothing to report\n$/);
          expect(JSON.parse(r.stdout)).to.have.property('rows').that.deep.equals([]);
        }
        if (url.startsWith('sqlite:')) {
          expect([emptyFile, otherFile].map((f) => readFileSync(f)), 'the files as they were').to.deep.equal(untouched);
          continue;
        }
        // PostgreSQL: no table made in the schema.
        const knex = openDatabase(url, dir);
        try {
          const tables = ((await knex.raw('select table_name from information_schema.tables where table_schema = current_schema()')) as { rows: { table_name: string }[] }).rows.map((t) => t.table_name);
          expect(tables, url).to.deep.equal([]);
        } finally {
          await knex.destroy();
        }
      }
    } finally {
      await pg?.drop();
    }
  });

  it('a role that may only SELECT from the ledger table runs the reports (PostgreSQL)', async function () {
    if (!PG) this.skip();
    const pg = await pgSchema(PG!);
    const dir = tempDir('sluice-ledger-readonly-');
    const config = (url: string) => {
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, `storage: { database: "${url}" }\nproviders: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }, { use: ledger }]\n`);
      return file;
    };
    const role = `sluice_ro_${process.pid}`;
    const admin = openDatabase(pg.url, dir);
    try {
      expect((await sluice(['migrate', '--config', config(pg.url)])).status).to.equal(0);
      await admin('ledger_requests').insert({ request_id: 'ro-1', time_ms: Date.now() - 1000, day: new Date().toISOString().slice(0, 10), method: 'POST', path: '/v1/chat/completions', status: 200, outcome: 'success', usage_source: 'reported', latency_ms: 5, input_tokens: 7 });
      const schema = ((await admin.raw('select current_schema() as s')) as { rows: { s: string }[] }).rows[0]!.s;
      await admin.raw(`create role "${role}" login`);
      await admin.raw(`grant usage on schema "${schema}" to "${role}"`);
      await admin.raw(`grant select on "${schema}".ledger_requests to "${role}"`);
      const url = new URL(pg.url);
      url.username = role;
      const r = await sluice(['usage', '--config', config(url.toString()), '--json']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(JSON.parse(r.stdout)).to.have.nested.property('total.input_tokens', 7);
      // Without SELECT the table is still there: the database's refusal, not "no ledger".
      await admin.raw(`revoke select on "${schema}".ledger_requests from "${role}"`);
      const refused = await sluice(['audit', '--config', config(url.toString())]);
      expect(refused.status).to.equal(2);
      expect(refused.stderr).to.match(/storage\.database: postgres:\/\/.*: permission denied for table ledger_requests \(42501\)\n$/);
    } finally {
      await admin.raw(`drop owned by "${role}"`).catch(() => undefined);
      await admin.raw(`drop role if exists "${role}"`).catch(() => undefined);
      await admin.destroy();
      await pg.drop();
    }
  });

  it('a range in the future or long past is empty, not an error', async () => {
    const future = await sluice(['usage', '--config', file, '--since', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)]);
    expect(future.status, future.stderr).to.equal(0);
    expect(future.stdout.trim()).to.equal('no requests in this range');
    const past = await sluice(['usage', '--config', file, '--until', '2020-01-01', '--json']);
    expect(past.status, past.stderr).to.equal(0);
    expect(JSON.parse(past.stdout)).to.include({ since: '2019-12-25T00:00:00.000Z', until: '2020-01-01T00:00:00.000Z' });
  });

  it('sluice usage --session without --since covers the whole session: a turn 40 days old is listed (a 7-day window dropped it)', async () => {
    // One of s-1's rows again, 40 days earlier, as the first turn of another session.
    const db = new Database(path.join(dir, 'ledger.db'));
    try {
      const row = db.prepare("select * from ledger_requests where session_id = 's-1' limit 1").get() as Record<string, unknown>;
      const time = Date.now() - 40 * 86_400_000;
      const old = { ...row, request_id: 'req-old-turn', session_id: 's-long', time_ms: time, day: new Date(time).toISOString().slice(0, 10), arrival_key: 'old' };
      const columns = Object.keys(old);
      db.prepare(`insert into ledger_requests (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`).run(old);
    } finally {
      db.close();
    }
    const all = await sluice(['usage', '--config', file, '--session', 's-long', '--json']);
    expect(all.status, all.stderr).to.equal(0);
    expect((JSON.parse(all.stdout) as { turns: { request_id: string }[] }).turns.map((t) => t.request_id)).to.deep.equal(['req-old-turn']);
    const week = await sluice(['usage', '--config', file, '--session', 's-long', '--since', '7d']);
    expect(week.status, week.stderr).to.equal(0);
    expect(week.stdout.trim()).to.equal('no requests for session s-long in this range');
  });
});

/** A gateway on the loopback model with the ledger on `url` and the admin API on. */
const adminGateway = (url: string, dir: string) => startGateway(`server: { shutdown_grace_ms: 500 }
storage: { database: "${url}" }
logging: { level: warn }
admin: { key: ${ADMIN_KEY} }
providers: { local: { type: loopback } }
chain:
  - use: router
    with: { default: local }
  - use: ledger
`, { dir });

describe('ledger reports: a session id no row can hold', function () {
  this.timeout(60_000);
  const pg = PG;
  const databases: { name: string; open(): Promise<{ url: string; drop(): Promise<void> }> }[] = [
    { name: 'SQLite', open: async () => ({ url: 'sqlite:./ledger.db', drop: async () => {} }) },
    ...(pg ? [{ name: 'PostgreSQL', open: () => pgSchema(pg) }] : []),
  ];
  for (const db of databases) {
    it(`GET /admin/usage?session= with a NUL or control character is a 400 naming session (${db.name}), not the database's 500`, async () => {
      const { url, drop } = await db.open();
      const dir = tempDir('sluice-ledger-session-param-');
      const gw = await adminGateway(url, dir);
      try {
        // PostgreSQL cannot compare text with a NUL ("invalid byte sequence for encoding UTF8: 0x00"):
        // the report failed as an internal error; a session id is 1–128 of A–Z a–z 0–9 . _ : @ -.
        for (const session of ['a%00b', 'a%01b', '%0A']) {
          const res = await fetch(`${gw.url}/admin/usage?session=${session}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
          expect(res.status, session).to.equal(400);
          expect(await res.json(), session).to.have.nested.property('error.param', 'session');
        }
        const ok = await fetch(`${gw.url}/admin/usage?session=s-1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        expect(ok.status).to.equal(200);
        const cli = await sluice(['usage', '--config', path.join(dir, 'sluice.yaml'), '--session', 'a\u0001b']);
        expect(cli.status, cli.stderr).to.equal(2);
        expect(cli.stderr).to.match(/--session/);
      } finally {
        await gw.close();
        await drop();
      }
    });
  }
});

describe('ledger reports: a time with its offset in a URL', function () {
  this.timeout(60_000);
  it("GET /admin/usage and /admin/audit take docs/ledger.md's 2026-03-01T09:00+05:30 written as is in the URL (the query's decoding reads its + as a space)", async () => {
    const dir = tempDir('sluice-ledger-offset-param-');
    const gw = await adminGateway('sqlite:./ledger.db', dir);
    try {
      const get = async (route: string) => {
        const res = await fetch(`${gw.url}/admin/${route}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        return { status: res.status, body: await res.json() as Record<string, unknown> };
      };
      const usage = await get('usage?since=2026-03-01T09:00+05:30&until=2026-03-02T09:00:00+0530');
      expect(usage.status, JSON.stringify(usage.body)).to.equal(200);
      expect(usage.body).to.include({ since: '2026-03-01T03:30:00.000Z', until: '2026-03-02T03:30:00.000Z' });
      // Encoded, it was always read; a negative offset has no such trouble.
      expect((await get('usage?since=2026-03-01T09:00%2B05:30&until=2026-03-02T09:00-08:00')).body).to.include({ since: '2026-03-01T03:30:00.000Z', until: '2026-03-02T17:00:00.000Z' });
      const audit = await get('audit?since=2026-03-01T09:00+05:30&until=2026-03-04');
      expect(audit.status, JSON.stringify(audit.body)).to.equal(200);
      expect(audit.body).to.include({ since: '2026-03-01T00:00:00.000Z' });
      // A space anywhere else is still refused.
      expect((await get('usage?since=2026-03-01+09:00')).status).to.equal(400);
    } finally {
      await gw.close();
    }
  });
});
