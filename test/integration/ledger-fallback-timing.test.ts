// A request served by a fallback: the time the failed attempts took is theirs, not the provider's
// that answered. The row keeps each failed attempt's time (`fallback_detail[].ms`), its output
// tokens/s leaves that time out, and the audit measures the answering provider from its own attempt
// — a primary timing out must not flag the healthy fallback as degraded.
import { expect } from 'chai';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { until } from '../plugins/ledger/client.js';
import { auditReport } from '../../plugins/ledger/reports/audit.js';

// Long beside what the backup takes even on a loaded machine: the bounds below are fractions of it.
const FAIL_AFTER_MS = 1000;

describe('ledger: a fallback\'s answer is measured from its own attempt', function () {
  this.timeout(30_000);
  let failing: MockUpstream;
  let healthy: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    failing = await startMockUpstream();
    // The primary takes its time, then fails with a 503 (the router falls over on 5xx).
    failing.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, FAIL_AFTER_MS));
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error', param: null, code: null } }));
    });
    healthy = await startMockUpstream();
    // 50 output tokens, answered in 20 ms: a time of its own to measure tokens/s over (an answer
    // within a millisecond has no tokens/s: output_tps is null then).
    healthy.handle(async (req, res) => {
      await new Promise((r) => setTimeout(r, 20));
      const body = chatCompletionBody(String(req.body?.['model']), 'fine');
      (body['usage'] as Record<string, unknown>)['completion_tokens'] = 50;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite:./ledger.db" }
providers:
  primary: { type: openai, base_url: "${failing.url}", api_key: k }
  backup: { type: openai, base_url: "${healthy.url}", api_key: k }
chain:
  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: primary, fallbacks: [backup] }
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 50 }
`);
  });
  after(async () => { await gw?.close(); await failing?.close(); await healthy?.close(); });

  it('keeps each failed attempt\'s time, and leaves it out of the answer\'s tokens/s and the audit\'s TTFB and latency', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i}` }] });
    const knex = openDatabase('sqlite:./ledger.db', gw.dir);
    try {
      let rows: Record<string, unknown>[] = [];
      await until(async () => (rows = await knex('ledger_requests').select('*')).length >= 3);
      for (const row of rows) {
        expect(row['provider']).to.equal('backup');
        expect(Number(row['ttfb_ms']), 'the row\'s TTFB is still from arrival').to.be.at.least(FAIL_AFTER_MS);
        const [attempt] = JSON.parse(String(row['fallback_detail'])) as { provider: string; ms: number }[];
        expect(attempt!.provider).to.equal('primary');
        expect(attempt!.ms, 'the failed attempt took its time').to.be.within(FAIL_AFTER_MS, Number(row['latency_ms']));
        // 50 tokens over the backup's own time (a few ms), not over the FAIL_AFTER_MS the primary held it.
        expect(Number(row['output_tps'])).to.be.above(50 / (FAIL_AFTER_MS / 1000) * 2);
      }
      const audit = await auditReport(knex, { from: Date.now() - 3_600_000, to: Date.now() + 1000 }, { degradationFactor: 1.5, baselineDays: 7 });
      const backup = audit.lines.find((l) => l.provider === 'backup')!;
      expect(backup.requests).to.equal(3);
      expect(backup.ttfb_p50_ms!, 'the backup answered at once').to.be.below(FAIL_AFTER_MS / 2);
      expect(backup.latency_p50_ms!).to.be.below(FAIL_AFTER_MS / 2);
      expect(audit.lines.find((l) => l.provider === 'primary')!.fallback_rate).to.equal(1);
    } finally {
      await knex.destroy();
    }
  });
});
