// A request refused before the chain (a body that is not JSON, no model, a bad `stream`) still
// belongs to the session its headers name: its access-log line and ledger row carry it, so
// `sluice usage --session ID` lists every turn the agent sent, failed ones included.
import { expect } from 'chai';
import { openDatabase } from '../../core/storage/database.js';
import { QUICK_SHUTDOWN, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';
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
${QUICK_SHUTDOWN}`);
  });
  after(() => gw.close());

  const post = (path: string, headers: Record<string, string>, body: string) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  /** The session each request's access-log line and ledger row carry, once the rows are written. */
  async function recordedSessions(ids: (string | null | undefined)[]): Promise<{ logged: unknown[]; stored: (string | null | undefined)[] }> {
    const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    const logged = ids.map((id) => lines.find((l) => l['request_id'] === id)?.['session']);
    const knex = openDatabase('sqlite:./ledger.db', gw.dir);
    try {
      let rows: { request_id: string; session_id: string | null }[] = [];
      await until(async () => {
        rows = await knex('ledger_requests').whereIn('request_id', ids as string[]).select('request_id', 'session_id');
        return rows.length === ids.length;
      });
      const byId = new Map(rows.map((r) => [r.request_id, r.session_id]));
      return { logged, stored: ids.map((id) => byId.get(id!)) };
    } finally {
      await knex.destroy();
    }
  }

  it('logs and records the header session of a body that is not JSON, one without a model and a bad stream flag', async () => {
    const refused = [
      await post('/v1/chat/completions', { 'x-session-id': 'sess-bad-json' }, '{"model":'),
      await post('/v1/messages', { 'x-claude-code-session-id': 'sess-no-model' }, '{"max_tokens":5,"messages":[]}'),
      await post('/v1/responses', { 'session-id': 'sess-bad-stream' }, '{"model":"m","input":"hi","stream":"yes"}'),
    ];
    expect(refused.map((r) => r.status)).to.deep.equal([400, 400, 400]);
    const ids = refused.map((r) => r.headers.get('x-request-id'));
    const sessions = ['sess-bad-json', 'sess-no-model', 'sess-bad-stream'];
    expect(await recordedSessions(ids)).to.deep.equal({ logged: sessions, stored: sessions });
  });

  it('records the session of a refusal before any endpoint: a refused WebSocket upgrade (426) and a 404', async () => {
    // An agent's upgrade Sluice does not take (any path but the Responses socket's) carries its
    // session-id too. Without the session that row fell out of the session's report.
    const port = Number(new URL(gw.url).port);
    const upgrade = await rawRequest(port, 'GET /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\n'
      + 'sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsession-id: sess-codex-ws\r\n\r\n');
    const missing = await post('/v1/nothing-here', { 'x-claude-code-session-id': 'sess-not-found' }, '{}');
    expect([upgrade.status, missing.status]).to.deep.equal([426, 404]);
    const ids = [upgrade.headers['x-request-id'], missing.headers.get('x-request-id')];
    const sessions = ['sess-codex-ws', 'sess-not-found'];
    expect(await recordedSessions(ids)).to.deep.equal({ logged: sessions, stored: sessions });
  });

  it('still ignores a malformed session header on such a request', async () => {
    const r = await post('/v1/chat/completions', { 'x-session-id': 'bad id with spaces' }, 'not json');
    expect(r.status).to.equal(400);
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['request_id'] === r.headers.get('x-request-id'));
    expect(line).to.not.have.property('session');
  });
});
