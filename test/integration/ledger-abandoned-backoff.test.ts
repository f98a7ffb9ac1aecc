// A client that hangs up while Sluice waits to retry a provider that failed: nothing is pending at
// the provider (its answer was the failure, which it does not bill), so the call is not an
// abandoned one the provider had — the row is `none`, as for a request that failed, not an
// `estimated` prompt charge.
import { expect } from 'chai';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir } from '../helpers/gateway.js';
import { startMockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows } from '../plugins/ledger/rig.js';
import { until } from '../plugins/ledger/client.js';

describe('ledger: a client leaving during a retry backoff', function () {
  this.timeout(30_000);

  it('leaves a row of none: the provider answered the failure and holds nothing', async () => {
    const mock = await startMockUpstream();
    // A 503 asking for 2 s: the retry waits at least that long (backoff_ms 3000 allows it).
    mock.handle((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' })
        .end(JSON.stringify({ error: { message: 'busy', type: 'server_error', param: null, code: null } }));
    });
    const dir = tempDir('sluice-abandoned-backoff-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
  up: { type: openai, base_url: "${mock.url}", api_key: test-key, retry: { attempts: 1, backoff_ms: 3000 } }
chain:
  - use: router
    with: { default: up }
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    try {
      const abort = new AbortController();
      const sent = fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'left-in-backoff' }, signal: abort.signal,
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a question the provider refuses for now' }] }),
      });
      sent.catch(() => undefined);
      await until(() => mock.requests.length === 1);
      await new Promise((r) => setTimeout(r, 300)); // the 503 is back: Sluice is in its backoff
      abort.abort();
      await new Promise((r) => setTimeout(r, 300));
      expect(mock.requests.length, 'not retried after the client left').to.equal(1);
    } finally {
      await gw.close();
      await mock.close();
    }
    const knex = openDatabase(database, dir);
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === 'left-in-backoff')!;
      expect(row).to.include({ outcome: 'client_disconnect', usage_source: 'none', input_tokens: 0 });
    } finally {
      await knex.destroy();
    }
  });
});

describe('ledger: a client leaving during the backoff after an attempt that reported usage', function () {
  this.timeout(30_000);

  it('keeps that report as the row\'s usage (partial), as when no retry follows', async () => {
    const START = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 50, output_tokens: 1 } } };
    const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const mock = await startMockUpstream();
    let abort = new AbortController();
    // The provider counts the prompt (message_start), then fails before any content; the client
    // hangs up 20 ms later, inside the retry's backoff (a random wait up to 5 s).
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message_start\ndata: ${JSON.stringify(START)}\n\nevent: error\ndata: ${JSON.stringify(OVERLOADED)}\n\n`);
      const leaving = abort;
      setTimeout(() => leaving.abort(), 20);
    });
    const dir = tempDir('sluice-abandoned-backoff-usage-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
  anth: { type: anthropic, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: test-key, retry: { attempts: 1, backoff_ms: 5000 } }
chain:
  - use: router
    with: { default: anth }
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    let left = '';
    try {
      // A backoff drawn shorter than 20 ms retries before the client leaves: tried again under another id.
      for (let n = 0; n < 3 && !left; n++) {
        abort = new AbortController();
        const id = `left-in-backoff-usage-${n}`;
        const before = mock.requests.length;
        const sent = fetch(`${gw.url}/v1/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': id }, signal: abort.signal,
          body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'a question the provider counts, then fails' }] }),
        });
        await sent.then((r) => r.text()).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        if (mock.requests.length - before === 1) left = id;
      }
    } finally {
      await gw.close();
      await mock.close();
    }
    expect(left, 'the client left during a backoff').to.not.equal('');
    const knex = openDatabase(database, dir);
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === left)!;
      expect(row).to.include({ outcome: 'client_disconnect', usage_source: 'partial' });
      expect(Number(row['input_tokens'])).to.equal(50);
    } finally {
      await knex.destroy();
    }
  });
});

describe('ledger: a client leaving while its request waits in line for a connection', function () {
  this.timeout(30_000);

  it('leaves a row of none: nothing was sent to the provider', async () => {
    const mock = await startMockUpstream();
    mock.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    });
    const dir = tempDir('sluice-abandoned-queued-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 3000 }
storage: { database: "${database}" }
providers:
  up: { type: openai, base_url: "${mock.url}", api_key: test-key, connections: 1, queue: { max: 4, timeout_ms: 10000 } }
chain:
  - use: router
    with: { default: up }
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    const ask = (id: string, signal?: AbortSignal) => fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, signal,
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a question waiting for a free connection' }] }),
    });
    try {
      const first = ask('holds-the-connection');
      await until(() => mock.requests.length === 1);
      const abort = new AbortController();
      const queued = ask('left-in-line', abort.signal);
      queued.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      abort.abort();
      expect((await first).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(mock.requests.length, 'the queued request never went upstream').to.equal(1);
    } finally {
      await gw.close();
      await mock.close();
    }
    const knex = openDatabase(database, dir);
    try {
      const rows = await ledgerRows(knex);
      expect(rows.find((r) => r.request_id === 'left-in-line')).to.include({ outcome: 'client_disconnect', usage_source: 'none', input_tokens: 0 });
      expect(rows.find((r) => r.request_id === 'holds-the-connection')).to.include({ usage_source: 'reported' });
    } finally {
      await knex.destroy();
    }
  });
});
