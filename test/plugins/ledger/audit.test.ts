// The audit on crafted days: percentiles, tokens/s, error and fallback rates, billed-vs-local
// drift, and the degradation flag against the trailing baseline — through the command itself.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import path from 'node:path';
import { parseConfigText } from '../../../core/config/load.js';
import { GatewayError } from '../../../core/errors.js';
import { createLogger } from '../../../core/observability/logger.js';
import { commandHost, migrationsOf, openServices } from '../../../core/plugin/services.js';
import { reportQueue } from '../../../plugins/ledger/admin.js';
import ledger from '../../../plugins/ledger/index.js';
import { sameModel } from '../../../plugins/ledger/reports/audit.js';
import { ledgerOptions } from '../../../plugins/ledger/options.js';
import type { LedgerRow } from '../../../plugins/ledger/row.js';
import { knexStore } from '../../../plugins/ledger/store.js';
import { tempDir } from '../../helpers/gateway.js';
import { until } from './client.js';

const DAY = 86_400_000;
/** The UTC date of an instant, as --since and --until take it. */
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function row(id: string, time: number, over: Partial<LedgerRow>): LedgerRow {
  return {
    request_id: id, time_ms: time, day: new Date(time).toISOString().slice(0, 10), user_id: 'u', team_id: null, key_id: null, session_id: null,
    client_address: '127.0.0.1', method: 'POST', path: '/v1/chat/completions', endpoint: 'openai.chat', client_protocol: 'openai.chat',
    requested_model: 'gpt-4o', served_model: 'gpt-4o', provider: 'openai', fallbacks: 0, fallback_detail: null, stream: 1, status: 200,
    outcome: 'success', error_code: null, input_tokens: 100, output_tokens: 50, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
    usage_source: 'reported', cost_input: 0, cost_output: 0, cost_cache_read: 0, cost_cache_write: 0, cost_reasoning: 0, cost_total: 0.001,
    local_input_tokens: 100, local_output_tokens: 50, local_method: 'o200k_base', count_mismatch: 0, ttfb_ms: 100, latency_ms: 1100, output_tps: 50,
    findings: null, direction: null, offer_id: null, arrival_key: null,
    service_tier: null, web_search_calls: 0, web_fetch_calls: 0, cost_fees: 0, answered_model: null, ...over,
  };
}

async function run(args: string[]) {
  const dir = tempDir('sluice-ledger-audit-');
  const loaded = parseConfigText('providers: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }, { use: ledger }]\nstorage: { database: "sqlite:./l.db" }\n', path.join(dir, 'sluice.yaml'), {});
  const services = openServices(loaded, () => migrationsOf([{ definition: ledger as never }]));
  const host = commandHost(loaded, services, createLogger({ level: 'silent' }));
  let out = '';
  const sink = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  return { host, services, out: () => out, io: { stdin: process.stdin, stdout: sink, stderr: sink }, args };
}

describe('ledger audit', () => {
  it('flags the day whose TTFB p50 or tokens/s is worse than the trailing baseline by the factor', async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    const rows: LedgerRow[] = [];
    for (let d = 5; d >= 1; d--) {
      for (let i = 0; i < 4; i++) rows.push(row(`base-${d}-${i}`, today - d * DAY + i, { ttfb_ms: 90 + i * 10, output_tps: 48 + i }));
    }
    // Today: the first byte three times slower, tokens/s halved, one error, one drifted bill.
    for (let i = 0; i < 4; i++) rows.push(row(`today-${i}`, today + i, { ttfb_ms: 300 + i, output_tps: 20 + i }));
    rows.push(row('today-err', today + 10, { outcome: 'error', status: 502, error_code: 'SLUICE_E_UPSTREAM_ERROR', output_tokens: 0, output_tps: null, ttfb_ms: 5 }));
    rows.push(row('today-drift', today + 11, { input_tokens: 120, local_input_tokens: 100, count_mismatch: 1, ttfb_ms: 305, output_tps: 21 }));
    // A fallback away from openai, and from a provider that answered nothing all day, to another provider today.
    const attempts = [{ provider: 'openai', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_ERROR', status: 503 }, { provider: 'dead', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 502 }];
    rows.push(row('today-fb', today + 12, { provider: 'backup', served_model: 'gpt-4o', fallbacks: 2, fallback_detail: JSON.stringify(attempts) }));
    // Refused after routing, before any call (a rate limit): not a request of openai's.
    const refused = { outcome: 'blocked', status: 429, error_code: 'SLUICE_E_RATE_LIMITED', usage_source: 'none', input_tokens: 0, output_tokens: 0, ttfb_ms: 1, output_tps: null } as const;
    for (let i = 0; i < 3; i++) rows.push(row(`today-limited-${i}`, today + 20 + i, refused));
    await knexStore(() => t.host.database()).insert(rows);

    // Whole days from 3 days back through today, named: rows an hour into today are still ahead of
    // `now` just after midnight, where `--since 3d` (until now) left them out.
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today - 3 * DAY), '--until', isoDay(today + DAY), '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    const openai = report.rows.filter((r) => r['provider'] === 'openai');
    // Only days in range are shown (whole days from 3 days back), though earlier days made the baseline.
    expect(openai.length).to.equal(4);
    const day = openai[openai.length - 1]!;
    expect(day).to.include({ requests: 6, ttfb_p50_ms: 302, error_rate: round(1 / 6), fallback_rate: round(1 / 7), mismatched: 1 });
    // 100 × 5 rows + 120 billed against 600 counted: +3.3 %.
    expect(day['input_drift_pct']).to.equal(3.3);
    expect(day['degraded']).to.equal(true);
    expect(day['degradation']).to.match(/ttfb p50 302 ms vs 100 ms baseline/);
    expect(day['degradation']).to.match(/tokens\/s p50 21 vs 49 baseline/);
    expect(openai.slice(0, 3).every((d) => d['degraded'] === false && d['degradation'] === null)).to.equal(true);
    expect(report.rows.find((r) => r['provider'] === 'backup')).to.include({ requests: 1, degraded: false, degradation: null });
    // A provider whose only attempts failed over answered nothing: no error rate to give, its fallback rate 1.
    expect(report.rows.find((r) => r['provider'] === 'dead')).to.include({ day: day['day'], requests: 0, error_rate: null, fallback_rate: 1 });
  });

  it("error rate: the provider's failures count, a 4xx it answered to a client's bad request does not", async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    const failed = (id: string, i: number, status: number, error_code: string) =>
      row(id, today + i, { outcome: 'error', status, error_code, output_tokens: 0, output_tps: null, ttfb_ms: 5, usage_source: 'none' });
    await knexStore(() => t.host.database()).insert([
      ...[0, 1, 2, 3].map((i) => row(`ok-${i}`, today + i, {})),
      // The provider refused the client's request (a bad parameter, a prompt too long, a key it does not know).
      failed('client-400', 10, 400, 'SLUICE_E_UPSTREAM_ERROR'), failed('client-413', 11, 413, 'SLUICE_E_UPSTREAM_ERROR'),
      failed('client-404', 12, 404, 'SLUICE_E_UPSTREAM_ERROR'), failed('client-401', 13, 401, 'SLUICE_E_UPSTREAM_ERROR'),
      // The provider failed: a 5xx, a 429, unreachable, timed out, its stream cut, an error event after the answer began.
      failed('p-500', 20, 500, 'SLUICE_E_UPSTREAM_ERROR'), failed('p-429', 21, 429, 'SLUICE_E_UPSTREAM_ERROR'),
      failed('p-down', 22, 502, 'SLUICE_E_UPSTREAM_UNAVAILABLE'), failed('p-slow', 23, 504, 'SLUICE_E_UPSTREAM_TIMEOUT'),
      failed('p-cut', 24, 502, 'SLUICE_E_UPSTREAM_TRUNCATED'), failed('p-midstream', 25, 200, 'SLUICE_E_UPSTREAM_ERROR'),
    ]);
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today), '--until', isoDay(today + DAY), '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    // 6 of its 14 requests failed on its side; the 4 refusals of bad requests are requests it answered.
    expect(report.rows).to.have.length(1);
    expect(report.rows[0]).to.include({ provider: 'openai', requests: 14, error_rate: round(6 / 14) });
  });

  it('token counts (count_tokens, :countTokens) are not model calls: a slow day is not hidden among their few-ms answers', async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    const count = (id: string, time: number, endpoint: string) => row(id, time, {
      endpoint, client_protocol: endpoint, path: endpoint.startsWith('anthropic') ? '/v1/messages/count_tokens' : '/v1beta/models/gpt-4o:countTokens',
      stream: 0, input_tokens: 0, output_tokens: 0, usage_source: 'none', cost_total: 0, local_input_tokens: null, local_output_tokens: null, local_method: null, ttfb_ms: 2, latency_ms: 2, output_tps: null,
    });
    const rows: LedgerRow[] = [];
    for (let d = 3; d >= 1; d--) for (let i = 0; i < 2; i++) rows.push(row(`base-${d}-${i}`, today - d * DAY + i, { ttfb_ms: 100 }));
    // Today the answers come three times slower, between many token counts (Gemini CLI counts before it sends).
    for (let i = 0; i < 3; i++) rows.push(row(`slow-${i}`, today + i, { ttfb_ms: 300 }));
    for (let i = 0; i < 4; i++) rows.push(count(`count-a-${i}`, today + 10 + i, 'anthropic.count_tokens'), count(`count-g-${i}`, today + 20 + i, 'gemini.count_tokens'));
    await knexStore(() => t.host.database()).insert(rows);
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today), '--until', isoDay(today + DAY), '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    expect(report.rows).to.have.length(1);
    expect(report.rows[0]).to.include({ requests: 3, ttfb_p50_ms: 300, degraded: true, degradation: 'ttfb p50 300 ms vs 100 ms baseline' });
  });

  it('compares streams with streams and JSON answers with JSON ones: a day whose clients streamed less is not a slower day', async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    // A stream's first byte is its first token (100 ms) and its tokens/s the decoding; a JSON answer's
    // first byte is the whole answer (1,000 ms), its tokens/s over the whole latency.
    const streamed = (id: string, time: number, over: Partial<LedgerRow> = {}) => row(id, time, { stream: 1, ttfb_ms: 100, latency_ms: 1100, output_tps: 50, ...over });
    const json = (id: string, time: number) => row(id, time, { stream: 0, ttfb_ms: 1000, latency_ms: 1000, output_tps: 25 });
    const rows: LedgerRow[] = [];
    for (let d = 4; d >= 1; d--) for (let i = 0; i < 3; i++) rows.push(streamed(`s-${d}-${i}`, today - d * DAY + i), json(`j-${d}-${i}`, today - d * DAY + 10 + i));
    // Today the openai series is served as fast as ever, but mostly as JSON; the other series' streams
    // are three times slower to start, among JSON answers as fast as ever.
    rows.push(streamed('s-today', today));
    for (let i = 0; i < 5; i++) rows.push(json(`j-today-${i}`, today + 10 + i));
    for (let d = 4; d >= 0; d--) {
      for (let i = 0; i < 3; i++) {
        rows.push(streamed(`o-s-${d}-${i}`, today - d * DAY + 20 + i, { provider: 'other', ttfb_ms: d === 0 ? 300 : 100 }));
        rows.push(row(`o-j-${d}-${i}`, today - d * DAY + 30 + i, { provider: 'other', stream: 0, ttfb_ms: 1000, latency_ms: 1000, output_tps: 25 }));
      }
    }
    await knexStore(() => t.host.database()).insert(rows);
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today), '--until', isoDay(today + DAY), '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    // The p50s shown are still the day's, of every answer.
    expect(report.rows.find((r) => r['provider'] === 'openai')).to.include({ requests: 6, ttfb_p50_ms: 1000, tokens_per_s_p50: 25, degraded: false, degradation: null });
    expect(report.rows.find((r) => r['provider'] === 'other')).to.include({ degraded: true, degradation: 'ttfb p50 of streams 300 ms vs 100 ms baseline' });
  });

  it('the baseline of an even number of days is the mean of the middle two', async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    // Two baseline days at TTFB 10 and 30 ms: a baseline of 20, so 35 ms is within 2 × and not flagged (against 10, it was).
    await knexStore(() => t.host.database()).insert([
      row('d2', today - 2 * DAY, { ttfb_ms: 10 }), row('d1', today - DAY, { ttfb_ms: 30 }), row('d0', today, { ttfb_ms: 35 }),
      row('e0', today + 1, { provider: 'other', ttfb_ms: 45 }), row('e1', today - DAY, { provider: 'other', ttfb_ms: 30 }), row('e2', today - 2 * DAY, { provider: 'other', ttfb_ms: 10 }),
    ]);
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today - DAY), '--until', isoDay(today + DAY), '--json'], { ...ledgerOptions.parse({}), audit: { degradation_factor: 2, baseline_days: 7 } }, t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    const last = (provider: string) => report.rows.filter((r) => r['provider'] === provider).at(-1)!;
    expect(last('openai')).to.include({ ttfb_p50_ms: 35, degraded: false });
    expect(last('other')).to.include({ ttfb_p50_ms: 45, degraded: true, degradation: 'ttfb p50 45 ms vs 20 ms baseline' });
  });

  it('answers naming another model than the one asked are counted and flag the day (a stealth downgrade); a dated snapshot is the same model', async () => {
    const t = await run([]);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 3_600_000;
    await knexStore(() => t.host.database()).insert([
      // Yesterday: gpt-4o answered as its snapshot; claude-sonnet-4-5 as its dated name; an alias and Gemini's numbered version.
      row('y1', today - DAY, { answered_model: 'gpt-4o-2024-08-06' }), row('y2', today - DAY, { answered_model: null }),
      row('y3', today - DAY, { provider: 'anthropic', served_model: 'claude-sonnet-4-5', answered_model: 'claude-sonnet-4-5-20250929' }),
      row('y4', today - DAY, { provider: 'anthropic', served_model: 'claude-3-5-sonnet-latest', answered_model: 'claude-3-5-sonnet-20241022' }),
      row('y5', today - DAY, { provider: 'gemini', served_model: 'gemini-1.5-pro', answered_model: 'gemini-1.5-pro-002' }),
      // Today: two of three gpt-4o answers came from gpt-4o-mini (its name begins with gpt-4o: still another model).
      row('t1', today, { answered_model: 'gpt-4o-mini-2024-07-18' }), row('t2', today + 1, { answered_model: 'gpt-4o-mini-2024-07-18' }),
      row('t3', today + 2, { answered_model: 'gpt-4o-2024-08-06' }),
    ]);
    const code = await ledger.commands!['audit']!.run(['--since', isoDay(today - DAY), '--until', isoDay(today + DAY), '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[] };
    const lines = report.rows.map((r) => [r['day'], r['provider'], r['other_model_answers'], r['degraded'], r['degradation']]);
    expect(lines).to.deep.equal([
      [isoDay(today - DAY), 'anthropic', 0, false, null], [isoDay(today - DAY), 'anthropic', 0, false, null],
      [isoDay(today - DAY), 'gemini', 0, false, null], [isoDay(today - DAY), 'openai', 0, false, null],
      [isoDay(today), 'openai', 2, true, 'answers named another model: gpt-4o-mini-2024-07-18 ×2'],
    ]);
  });

  it('the same model under the names providers answer with: older OpenAI snapshots and Anthropic\'s -0 aliases are not another model', () => {
    // What OpenAI and Anthropic answer for these names today: not a downgrade.
    const same: [string, string][] = [
      ['gpt-3.5-turbo', 'gpt-3.5-turbo-0125'], ['gpt-4', 'gpt-4-0613'], ['gpt-4o', 'gpt-4o-2024-08-06'], ['o3-mini', 'o3-mini-2025-01-31'],
      ['claude-sonnet-4-0', 'claude-sonnet-4-20250514'], ['claude-opus-4-0', 'claude-opus-4-20250514'], ['claude-opus-4-1', 'claude-opus-4-1-20250805'],
      ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet-20250219'], ['gemini-1.5-flash-latest', 'gemini-1.5-flash-002'], ['llama3', 'llama3:latest'],
    ];
    for (const [served, answered] of same) expect(sameModel(served, answered), `${served} answered as ${answered}`).to.equal(true);
    const other: [string, string][] = [
      ['gpt-4o', 'gpt-4o-mini-2024-07-18'], ['gpt-4', 'gpt-4o-2024-08-06'], ['gpt-4-0613', 'gpt-3.5-turbo-0613'], ['claude-opus-4-0', 'claude-sonnet-4-20250514'],
      ['claude-sonnet-4-5', 'claude-sonnet-4-20250514'], ['gemini-2.5-pro', 'gemini-2.5-flash'],
    ];
    for (const [served, answered] of other) expect(sameModel(served, answered), `${served} answered as ${answered}`).to.equal(false);
  });

  it('a usage table by day in order, with the total last', async () => {
    const t = await run([]);
    const now = Date.now();
    await knexStore(() => t.host.database()).insert([row('a', now - 2 * DAY, {}), row('b', now - DAY, { cost_total: null, served_model: 'mystery' }), row('c', now, {})]);
    const code = await ledger.commands!['usage']!.run(['--by', 'day'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const lines = t.out().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).to.deep.equal(['DAY', ...[2, 1, 0].map((d) => new Date(now - d * DAY).toISOString().slice(0, 10)), 'TOTAL']);
    expect(lines[lines.length - 1]).to.match(/^TOTAL\s+3\s+0\s+0\s+0\s+300\s+150\s+0\s+0\s+0\s+0\.002000\s+1\s+0\s/);
  });

  it('a group whose rows with tokens are all unpriced costs null, though a refusal in it cost a known 0', async () => {
    const t = await run([]);
    const now = Date.now();
    const failed = { outcome: 'error', status: 502, input_tokens: 0, output_tokens: 0, cost_total: 0, served_model: 'gpt-qa' } as const;
    await knexStore(() => t.host.database()).insert([
      row('unpriced', now, { user_id: 'erin', served_model: 'mystery-x', cost_total: null }), row('refused', now + 1, { user_id: 'erin', ...failed }),
      row('priced', now + 2, { user_id: 'ada' }),
    ]);
    const code = await ledger.commands!['usage']!.run(['--by', 'user', '--json'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(code).to.equal(0);
    const report = JSON.parse(t.out()) as { rows: Record<string, unknown>[]; total: Record<string, unknown> };
    expect(report.rows.find((r) => r['user'] === 'erin')).to.include({ requests: 2, unpriced: 1, cost_usd: null });
    expect(report.rows.find((r) => r['user'] === 'ada')).to.include({ requests: 1, unpriced: 0, cost_usd: 0.001 });
    // Priced and unpriced rows together: the priced sum, the unpriced counted beside it.
    expect(report.total).to.include({ requests: 3, unpriced: 1, cost_usd: 0.001 });
  });

  it('a session turn by turn shows the loops the detector noted and stopped', async () => {
    const t = await run([]);
    const now = Date.now();
    const loop = (count: number, action: string) => JSON.stringify([{ source: 'dedupe', type: 'REPEATED_TOOL_CALL', count, action }]);
    await knexStore(() => t.host.database()).insert([
      row('s1', now - 3000, { session_id: 'agent-1' }),
      row('s2', now - 2000, { session_id: 'agent-1', findings: loop(3, 'noted') }),
      row('s3', now - 1000, { session_id: 'agent-1', findings: loop(5, 'blocked'), outcome: 'blocked', status: 200, provider: null, input_tokens: 0, output_tokens: 0 }),
      row('other', now - 500, { session_id: 'agent-2', findings: loop(5, 'blocked') }),
      row('s4', now - 400, { session_id: 'agent-1', findings: JSON.stringify([
        { source: 'firewall', type: 'EMAIL_ADDRESS', count: 1, action: 'recorded', direction: 'request' },
        { source: 'firewall', type: 'EMAIL_ADDRESS', count: 1, action: 'recorded', direction: 'response' },
      ]) }),
    ]);
    const json = await ledger.commands!['usage']!.run(['--session', 'agent-1', '--json'], ledgerOptions.parse({}), t.io, t.host);
    expect(json).to.equal(0);
    const report = JSON.parse(t.out()) as { turns: Record<string, unknown>[]; loops: number };
    expect(report.turns.map((x) => x['findings'])).to.deep.equal([null, 'REPEATED_TOOL_CALL=3:noted', 'REPEATED_TOOL_CALL=5:blocked', 'EMAIL_ADDRESS=1:recorded,EMAIL_ADDRESS=1:recorded@response']);
    expect(report.loops).to.equal(2);
    const before = t.out().length;
    const table = await ledger.commands!['usage']!.run(['--session', 'agent-1'], ledgerOptions.parse({}), t.io, t.host);
    await t.services.close();
    expect(table).to.equal(0);
    const text = t.out().slice(before);
    expect(text.split('\n')[0]).to.match(/\bFINDINGS$/);
    expect(text).to.match(/REPEATED_TOOL_CALL=5:blocked/);
    expect(text).to.match(/loops noted or stopped on 2 turns/);
  });
});

function round(n: number): number { return Math.round(n * 10_000) / 10_000; }

describe('ledger admin reports', () => {
  it('run one at a time, in order, whatever each one does; past the waiting line a report is refused with 429', async () => {
    const reports = reportQueue();
    const open = new AbortController().signal;
    const queue = <T>(run: () => Promise<T>) => reports(open, run);
    const log: string[] = [];
    const gate: (() => void)[] = [];
    const job = (name: string, fail = false) => queue(async () => {
      log.push(`start ${name}`);
      await new Promise<void>((resolve) => gate.push(resolve));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
    const a = job('a', true);
    const b = job('b');
    const c = job('c');
    for (let i = 0; i < 3; i++) {
      await until(() => gate.length > 0);
      gate.shift()!();
    }
    await a.catch(() => undefined);
    expect(await b).to.equal('b');
    expect(await c).to.equal('c');
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);

    const hold = queue(() => new Promise<void>((resolve) => gate.push(resolve)));
    await until(() => gate.length > 0); // running, no longer waiting
    const waiting = Array.from({ length: 16 }, () => queue(async () => undefined));
    expect(() => queue(async () => undefined)).to.throw(GatewayError, /16 reports are already waiting/).that.has.property('status', 429);
    gate.shift()!();
    await Promise.all([hold, ...waiting]);
    expect(await queue(async () => 'after')).to.equal('after');
  });

  it('a report whose client left is not started, and one running stops at its next page', async () => {
    const reports = reportQueue();
    const gate: (() => void)[] = [];
    const hold = reports(new AbortController().signal, () => new Promise<void>((resolve) => gate.push(resolve)));
    await until(() => gate.length > 0);
    const left = new AbortController();
    let ran = false;
    const abandoned = reports(left.signal, async () => { ran = true; });
    left.abort(new GatewayError('SLUICE_E_CLIENT_CLOSED', 'gone'));
    gate.shift()!();
    await hold;
    const err = await abandoned.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(GatewayError).and.have.property('status', 499);
    expect(ran).to.equal(false);
    // Running: a report over 5,000 rows (three pages) stops after the page during which its client left.
    const t = await run([]);
    const now = Date.now();
    await knexStore(() => t.host.database()).insert(Array.from({ length: 5000 }, (_, i) => row(`p${i}`, now - i, {})));
    const stop = new AbortController();
    const knex = await t.host.database();
    let rows = 0;
    const { readRows } = await import('../../../plugins/ledger/reports/read.js');
    const read = (async () => {
      for await (const _r of readRows(knex, { range: { from: now - DAY, to: now + 1 }, signal: stop.signal }, ['latency_ms'])) {
        if (++rows === 1) stop.abort(new GatewayError('SLUICE_E_CLIENT_CLOSED', 'gone'));
      }
    })();
    expect(await read.catch((e: unknown) => e)).to.be.instanceOf(GatewayError);
    expect(rows, 'the rows of the page already read, and no more').to.equal(2000);
    await t.services.close();
  });
});
