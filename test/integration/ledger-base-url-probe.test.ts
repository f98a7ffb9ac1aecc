// Claude Code checks that its base URL answers (`HEAD /`, and `HEAD /api/hello` as it preconnects),
// as do other clients with `GET /`. Anthropic's and OpenAI's own hosts answer them; a gateway that
// answered 404 made the check read "endpoint down" and filled the ledger's error counts with probes.
// They are answered 200 without a key, and still get a row each, as successes.
import { expect } from 'chai';
import { ledgerRows, startLedgerGateway } from '../plugins/ledger/rig.js';
import { usageReport } from '../../plugins/ledger/reports/usage.js';

describe('ledger: base URL connectivity probes', function () {
  this.timeout(30_000);

  it('answers HEAD / and GET / (and /api/hello, under /anthropic too) with 200, no key needed, each a success row', async () => {
    const rig = await startLedgerGateway({ extraChain: '  - use: auth\n    with: { mode: api_key }\n' });
    const probes: [string, string][] = [['HEAD', '/'], ['GET', '/'], ['HEAD', '/api/hello'], ['GET', '/anthropic'], ['HEAD', '/anthropic/api/hello']];
    const ids: string[] = [];
    let refused: { id: string; status: number };
    try {
      for (const [method, path] of probes) {
        const res = await fetch(`${rig.gw.url}${path}`, { method });
        const text = await res.text();
        expect(res.status, `${method} ${path}`).to.equal(200);
        ids.push(res.headers.get('x-request-id')!);
        if (method === 'HEAD') expect(text).to.equal('');
        // Nothing about the gateway (no version, no provider, no model) to an unauthenticated caller.
        else expect(JSON.parse(text)).to.deep.equal({ status: 'ok' });
      }
      // Only the probes: another method, or a path beside them, is still not found.
      const post = await fetch(`${rig.gw.url}/`, { method: 'POST', body: '{}' });
      await post.text();
      refused = { id: post.headers.get('x-request-id')!, status: post.status };
      expect(refused.status).to.equal(404);
      const other = await fetch(`${rig.gw.url}/api/hello2`);
      await other.text();
      expect(other.status).to.equal(404);
    } finally {
      await rig.gw.close();
    }
    const knex = rig.open();
    try {
      const rows = await ledgerRows(knex);
      const byId = new Map(rows.map((r) => [r.request_id, r]));
      for (const [i, id] of ids.entries()) {
        const row = byId.get(id);
        expect(row, `${probes[i]!.join(' ')} has a row`).to.not.equal(undefined);
        expect([row!['method'], row!['path'], Number(row!['status']), row!['outcome'], row!['error_code'], row!['usage_source']])
          .to.deep.equal([probes[i]![0], probes[i]![1], 200, 'success', null, 'none']);
      }
      expect(byId.get(refused!.id)!['outcome']).to.equal('error');
      const usage = await usageReport(knex, { from: Date.now() - 3_600_000, to: Date.now() + 1000 }, 'provider');
      expect(usage.total.requests).to.equal(probes.length + 2);
      expect(usage.total.errors, 'only the POST / and /api/hello2').to.equal(2);
    } finally {
      await knex.destroy();
    }
  });
});
