// Loop detector cost per request: building the protocol view of a parsed body and judging its tool
// history, for histories of 10, 100 and 1,000 tool calls, in each client's own request shape.
// Run: npm run bench:dedupe (writes nothing; copy the table into bench/results/dedupe.md).
//
// Scenarios per history length:
// - ordinary: every call different (reads, greps, tests), the usual request — decided at the
//   last step;
// - loop: the history ends in 4 identical calls whose outputs differ only in volatile parts
//   (the warn case: results are normalised and compared);
// - monitor-loop: the whole history is one call repeated (what monitor mode lets grow), so every
//   result is normalised — the worst case.
// Columns (medians unless p99): `JSON.parse` of the body, for scale (ingress pays it once per
// request anyway); `view` builds what the detector reads of the protocol view alone (core's
// tool-history walk of the body: tool calls, results and the turns with user text, no segments);
// `view+detect` builds a fresh view and judges it (what dedupe pays when it is the first plugin to
// read the history); `detect` judges an already built view (the exchange caches the view, so a
// firewall before dedupe has paid the walk).
import { createRequestView, parseOptions, type RequestView } from '../core/index.js';
import { LoopHistory } from '../plugins/dedupe/history.js';
import { dedupeOptions, thresholdsOf } from '../plugins/dedupe/options.js';
import { buildRequest, CLIENTS, shellCall, shellOutput, type ClientName, type ClientRequest, type ScriptStep } from '../test/plugins/dedupe/clients.js';

const t = thresholdsOf(parseOptions(dedupeOptions, {}));
const SIZES = [10, 100, 1000];
type Scenario = 'ordinary' | 'loop' | 'monitor-loop';
const SCENARIOS: Scenario[] = ['ordinary', 'loop', 'monitor-loop'];

/** A file's worth of output, ~600 bytes, different per k. */
function fileText(k: number): string {
  let out = '';
  for (let i = 0; out.length < 600; i++) out += `export function step${k}_${i}(input: string): number { return input.length * ${k + i}; }\n`;
  return out;
}

function history(client: ClientName, n: number, scenario: Scenario): ClientRequest {
  const steps: ScriptStep[] = [];
  const loopFrom = scenario === 'ordinary' ? n : scenario === 'loop' ? n - 4 : 0;
  for (let k = 0; k < n; k++) {
    if (k >= loopFrom) {
      steps.push({ calls: [shellCall(client, 'pytest -q tests/test_api.py')], results: [shellOutput(client, `${'.'.repeat(40)} [100%]\n3 passed in 0.${10 + (k % 80)}s`)] });
    } else {
      const command = k % 3 === 0 ? `sed -n '1,80p' src/module${k}.ts` : k % 3 === 1 ? `rg -n "step${k}" src` : `npm test -- --grep case${k}`;
      steps.push({ calls: [shellCall(client, command)], results: [shellOutput(client, fileText(k))] });
    }
  }
  return buildRequest(client, { prompt: 'Refactor the modules.', steps });
}

function judge(view: RequestView): number {
  return LoopHistory.fromView(view).findings(t).length;
}

/** Median and p99 per call in µs, timing batches so a ~1 µs call is not lost in timer resolution. */
function measure(run: () => void, budgetMs = 400): { median: number; p99: number } {
  const start = performance.now();
  let batch = 1;
  while (performance.now() - start < 20) { for (let i = 0; i < batch; i++) run(); batch *= 2; }
  batch = Math.max(1, Math.round(batch / 40));
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < 30) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

// Warm-up: every code path once, so the first rows do not carry the JIT's compile time.
for (const client of CLIENTS) {
  for (const scenario of SCENARIOS) {
    const { protocol, body } = history(client, 50, scenario);
    for (let i = 0; i < 300; i++) judge(createRequestView(protocol, body));
  }
}

const rows: string[][] = [];
for (const scenario of SCENARIOS) {
  for (const n of SIZES) {
    for (const client of CLIENTS) {
      const { protocol, body } = history(client, n, scenario);
      const raw = JSON.stringify(body);
      const bytes = raw.length;
      const parse = measure(() => JSON.parse(raw));
      const findings = judge(createRequestView(protocol, body));
      const viewOnly = measure(() => { const v = createRequestView(protocol, body); v.toolEvents(); v.userTextTurns(); });
      const full = measure(() => judge(createRequestView(protocol, body)));
      const built = createRequestView(protocol, body);
      built.toolEvents();
      const detectOnly = measure(() => judge(built));
      rows.push([scenario, String(n), client, `${(bytes / 1024).toFixed(0)} KB`, parse.median.toFixed(1), viewOnly.median.toFixed(1), full.median.toFixed(1), full.p99.toFixed(1), detectOnly.median.toFixed(1), detectOnly.p99.toFixed(1), String(findings)]);
    }
  }
}

const header = ['history', 'calls', 'client', 'body', 'JSON.parse µs', 'view µs', 'view+detect µs', 'p99', 'detect µs', 'p99', 'findings'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(`dedupe — default thresholds, node ${process.version}`);
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of rows) console.log(fmt(row));
