// Metrics on prom-client: the handles plugins get, one registry per gateway, the process defaults,
// and updates that can never throw into a request.
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { createMetrics } from '../../../core/observability/metrics.js';

describe('metrics (prom-client)', () => {
  it('renders counters, gauges and histograms with their labels in the Prometheus text format', async () => {
    const m = createMetrics();
    m.counter('t_requests_total', 'Requests', { labelNames: ['route', 'status'] }).inc({ route: 'a', status: '2xx' });
    m.counter('t_requests_total', 'Requests').inc({ route: 'a', status: '2xx' }, 2); // same name: same counter
    m.gauge('t_inflight', 'In flight').set(3);
    m.histogram('t_seconds', 'Latency', [0.1, 1]).observe(0.5, { route: 'a' });
    const text = await m.render();
    expect(text).to.include('# TYPE t_requests_total counter');
    expect(text).to.include('t_requests_total{route="a",status="2xx"} 3');
    expect(text).to.include('t_inflight 3');
    expect(text).to.include('t_seconds_bucket{le="0.1",route="a"} 0');
    expect(text).to.include('t_seconds_bucket{le="1",route="a"} 1');
    expect(text).to.include('t_seconds_count{route="a"} 1');
    expect(m.contentType).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it('records repeated label sets (the remembered fast path) exactly as prom-client does', async () => {
    // The same updates on the wrapper and on a bare prom-client registry: the exposition must be
    // the same to the byte — fractional amounts (float sums in prom-client's order), label sets in
    // another key order, a value past the last bucket, label values that differ only by name.
    const prom = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
    const bare = new prom.Registry();
    const bc = new prom.Counter({ name: 'f_total', help: 'c', labelNames: ['a', 'b'], registers: [bare] });
    const bh = new prom.Histogram({ name: 'f_seconds', help: 'h', labelNames: ['e'], buckets: [0.01, 0.1, 1], registers: [bare] });
    const m = createMetrics();
    const c = m.counter('f_total', 'c', { labelNames: ['a', 'b'] });
    const h = m.histogram('f_seconds', 'h', { labelNames: ['e'], buckets: [0.01, 0.1, 1] });
    const amounts = [0.1, 0.2, 0.3, 1e-9, 7, 0, 0.7];
    const labelSets = [{ a: 'x', b: 'y' }, { b: 'y', a: 'x' }, { a: 'y', b: 'x' }, { a: 'x', b: 'z' }];
    for (let round = 0; round < 3; round++) {
      for (const labels of labelSets) for (const v of amounts) { c.inc({ ...labels }, v); bc.inc({ ...labels }, v); }
      for (const v of [0.005, 0.05, 0.5, 5, 0.1, 1, 0.3333]) for (const e of ['p', 'q']) { h.observe(v, { e }); bh.observe({ e }, v); }
    }
    c.inc({ a: 'x', b: 'y' }, -1); // refused by prom-client on either path
    h.observe(Number.NaN, { e: 'p' });
    h.observe(0.5, { e: 'p', extra: 'no' });
    const ours = (await m.render()).split('\n').filter((l) => l.startsWith('f_')).join('\n');
    const theirs = (await bare.metrics()).split('\n').filter((l) => l.startsWith('f_')).join('\n');
    expect(ours).to.contain('f_total{a="x",b="y"}');
    expect(ours).to.equal(theirs);
  });

  it('reads a gauge declared with collect at each render; a reader that throws is told once, not rendered', async () => {
    let depth = 3;
    const dropped: string[] = [];
    const m = createMetrics({ onDroppedUpdate: (name) => dropped.push(name) });
    m.gauge('queue_depth', 'Waiting.', { collect: () => depth });
    m.gauge('broken', 'Throws.', { collect: () => { throw new Error('no'); } });
    expect(await m.render()).to.match(/^queue_depth 3$/m);
    depth = 7;
    expect(await m.render()).to.match(/^queue_depth 7$/m);
    expect(dropped).to.deep.equal(['broken']);
  });

  it('includes the process defaults: event-loop lag, heap, GC', async () => {
    const text = await createMetrics().render();
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total']) {
      expect(text).to.include(`# TYPE ${name} `);
    }
  });

  it('keeps each registry to itself (several gateways in one process)', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.counter('t_shared_total', 'x').inc();
    b.counter('t_shared_total', 'x').inc({}, 5);
    expect(await a.render()).to.include('t_shared_total 1\n');
    expect(await b.render()).to.include('t_shared_total 5\n');
  });

  it('drops an update it cannot record, tells once, and never throws', async () => {
    const dropped: string[] = [];
    const m = createMetrics({ onDroppedUpdate: (name, err) => dropped.push(`${name}: ${err.message}`) });
    const c = m.counter('t_lazy_total', 'Label names from the first update');
    c.inc({ model: 'a' });
    expect(() => c.inc({ model: 'a', extra: 'nope' })).to.not.throw();
    expect(() => c.inc({ other: 'x' })).to.not.throw();
    expect(() => m.histogram('t_h', 'h').observe(Number.NaN)).to.not.throw();
    expect(dropped).to.have.length(2);
    expect(dropped[0]).to.match(/^t_lazy_total: .*extra/);
    expect(await m.render()).to.include('t_lazy_total{model="a"} 1\n');
  });

  it('refuses a name already used by another kind, or by a process default', () => {
    const m = createMetrics();
    m.counter('t_kind', 'x');
    expect(() => m.gauge('t_kind', 'x')).to.throw(/already registered as a counter/);
    expect(() => m.gauge('nodejs_eventloop_lag_seconds', 'x')).to.throw(/process defaults/);
  });

  it('refuses a name already declared with other labels or help: a plugin cannot write into core\'s series', async () => {
    const m = createMetrics();
    const core = m.counter('t_owned_total', 'Requests by endpoint', { labelNames: ['endpoint'] });
    // The same declaration again (a plugin twice in the chain) shares the metric.
    expect(m.counter('t_owned_total', 'Requests by endpoint', { labelNames: ['endpoint'] })).to.equal(core);
    expect(() => m.counter('t_owned_total', 'mine')).to.throw(/metric t_owned_total is already registered with other help or labels/);
    expect(() => m.counter('t_owned_total', 'Requests by endpoint', { labelNames: ['endpoint', 'team'] })).to.throw(/already registered with other help or labels/);
    core.inc({ endpoint: 'a' });
    expect(await m.render()).to.include('# HELP t_owned_total Requests by endpoint\n');
  });
});
