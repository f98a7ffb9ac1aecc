// The ledger's per-model series take the model a client asked for when a route passes names through
// (a default provider, loopback): client-chosen text must not become an unbounded label.
import { expect } from 'chai';
import { createMetrics } from '../../../core/observability/metrics.js';
import { ledgerMetrics } from '../../../plugins/ledger/metrics.js';
import type { LedgerRow } from '../../../plugins/ledger/row.js';

function row(model: string): LedgerRow {
  return { provider: 'local', served_model: model, requested_model: model, input_tokens: 3, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_total: null, count_mismatch: 0 } as unknown as LedgerRow;
}

/** The model label values of sluice_ledger_tokens_total in the exposition text. */
async function modelLabels(text: Promise<string>): Promise<string[]> {
  const values = new Set<string>();
  for (const line of (await text).split('\n')) {
    const m = /^sluice_ledger_tokens_total\{provider="[^"]*",model="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) values.add(m[1]!);
  }
  return [...values];
}

describe('ledger metrics: model labels', () => {
  it('keeps ordinary model names as they are', async () => {
    const metrics = createMetrics();
    const ledger = ledgerMetrics(metrics);
    for (const m of ['gpt-4o', 'claude-sonnet-4-5', 'models/gemini-2.5-pro', 'llama3.1:8b']) ledger.row(row(m));
    ledger.flush();
    expect((await modelLabels(metrics.render())).sort()).to.deep.equal(['claude-sonnet-4-5', 'gpt-4o', 'llama3.1:8b', 'models/gemini-2.5-pro']);
  });

  it('counts over-long names and names with control or format characters under one label', async () => {
    const metrics = createMetrics();
    const ledger = ledgerMetrics(metrics);
    for (const m of ['m'.repeat(5000), 'evil\nmodel', 'nul\u0000x', 'bidi\u202egpt', 'gpt-4o']) ledger.row(row(m));
    ledger.flush();
    const labels = await modelLabels(metrics.render());
    expect(labels.sort()).to.deep.equal(['(other)', 'gpt-4o']);
  });

  it('stops adding series after a bound on distinct models: a client inventing names cannot grow the scrape without end', async () => {
    const metrics = createMetrics();
    const ledger = ledgerMetrics(metrics);
    for (let i = 0; i < 5000; i++) { ledger.row(row(`made-up-${i}`)); if (i % 100 === 99) ledger.flush(); }
    ledger.row(row('made-up-0'));
    ledger.flush();
    const labels = await modelLabels(metrics.render());
    expect(labels.length).to.be.at.most(501);
    expect(labels).to.include('(other)');
    expect(labels).to.include('made-up-0');
  });
});
