// A request refused before the chain (a body that is not JSON, no model, a bad `stream`) still
// belongs to the session its headers name: its access-log line and ledger row carry it, so
// `sluice usage --session ID` lists every turn the agent sent, failed ones included.
import { expect } from 'chai';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../plugins/ledger/client.js';

describe('session id on requests refused before the chain', function () {
  this.timeout(30_000);
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(`storage: { database: "sqlite:./ledger.db" }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { routes: [], default: local }
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 50 }
`);
  });
  after(() => gw.close());

  const post = (path: string, headers: Record<string, string>, body: string) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('logs and records the header session of a body that is not JSON, one without a model and a bad stream flag', async () => {
    const refused = [
      await post('/v1/chat/completions', { 'x-session-id': 'sess-bad-json' }, '{"model":'),
      await post('/v1/messages', { 'x-claude-code-session-id': 'sess-no-model' }, '{"max_tokens":5,"messages":[]}'),
      await post('/v1/responses', { 'session-id': 'sess-bad-stream' }, '{"model":"m","input":"hi","stream":"yes"}'),
    ];
    expect(refused.map((r) => r.status)).to.deep.equal([400, 400, 400]);
    const ids = refused.map((r) => r.headers.get('x-request-id'));
    const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    expect(ids.map((id) => lines.find((l) => l['request_id'] === id)?.['session'])).to.deep.equal(['sess-bad-json', 'sess-no-model', 'sess-bad-stream']);

    const knex = openDatabase('sqlite:./ledger.db', gw.dir);
    try {
      let rows: { request_id: string; session_id: string | null }[] = [];
      await until(async () => {
        rows = await knex('ledger_requests').whereIn('request_id', ids as string[]).select('request_id', 'session_id');
        return rows.length === 3;
      });
      const byId = new Map(rows.map((r) => [r.request_id, r.session_id]));
      expect(ids.map((id) => byId.get(id!))).to.deep.equal(['sess-bad-json', 'sess-no-model', 'sess-bad-stream']);
    } finally {
      await knex.destroy();
    }
  });

  it('still ignores a malformed session header on such a request', async () => {
    const r = await post('/v1/chat/completions', { 'x-session-id': 'bad id with spaces' }, 'not json');
    expect(r.status).to.equal(400);
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['request_id'] === r.headers.get('x-request-id'));
    expect(line).to.not.have.property('session');
  });
});
