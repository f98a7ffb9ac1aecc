// The cooldown state machine on its own clock: failures in a row, a 429's retry-after, the one
// probe after a period, and answers to attempts sent before a period began.
import { expect } from 'chai';
import { ProviderCooldown, type CooldownEntry } from '../../core/providers/cooldown.js';

function rig(config = { after_failures: 3, period_ms: 1000, max_retry_after_ms: 5000 }) {
  let now = 10_000;
  const entered: CooldownEntry[] = [];
  const left: number[] = [];
  const cooldown = new ProviderCooldown('p', config, { entered: (e) => entered.push(e), left: (_p, ms) => left.push(ms) }, () => now);
  return { cooldown, entered, left, at: () => now, advance: (ms: number) => { now += ms; } };
}

describe('provider cooldown (state machine)', () => {
  it('cools down after N failures in a row, not before; an answer between starts the count again', () => {
    const r = rig();
    r.cooldown.failed(false, 'E', 500, undefined);
    r.cooldown.failed(false, 'E', 500, undefined);
    r.cooldown.succeeded(r.at(), false);
    r.cooldown.failed(false, 'E', 500, undefined);
    r.cooldown.failed(false, 'E', 500, undefined);
    expect(r.cooldown.cooling()).to.equal(false);
    r.cooldown.failed(false, 'E', 502, undefined);
    expect(r.cooldown.cooling()).to.equal(true);
    expect(r.entered).to.deep.equal([{ provider: 'p', ms: 1000, failures: 3, code: 'E', status: 502, probe: false, retryAfter: false }]);
  });

  it('after the period lets exactly one probe through; its answer ends the cooldown', () => {
    const r = rig();
    for (let i = 0; i < 3; i++) r.cooldown.failed(false, 'E', 500, undefined);
    expect(r.cooldown.begin()).to.equal(false); // still in its period
    r.advance(1000);
    expect(r.cooldown.cooling()).to.equal(false);
    const startedAt = r.at();
    expect(r.cooldown.begin()).to.equal(true);
    expect(r.cooldown.cooling(), 'others skip it while the probe is out').to.equal(true);
    expect(r.cooldown.begin()).to.equal(false);
    r.advance(200);
    r.cooldown.succeeded(startedAt, true);
    expect(r.cooldown.cooling()).to.equal(false);
    expect(r.left).to.deep.equal([1200]);
  });

  it('a failed probe starts another period; a probe the client left frees the slot', () => {
    const r = rig();
    for (let i = 0; i < 3; i++) r.cooldown.failed(false, 'E', 500, undefined);
    r.advance(1000);
    expect(r.cooldown.begin()).to.equal(true);
    r.cooldown.released(true);
    expect(r.cooldown.begin(), 'the next request probes').to.equal(true);
    r.cooldown.failed(true, 'E', 503, undefined);
    expect(r.cooldown.cooling()).to.equal(true);
    expect(r.entered.at(-1)).to.include({ probe: true, ms: 1000 });
    r.advance(999);
    expect(r.cooldown.cooling()).to.equal(true);
  });

  it('a 429 with retry-after cools down at once for that long, capped', () => {
    const r = rig();
    r.cooldown.failed(false, 'E', 429, 2500);
    expect(r.entered[0]).to.include({ ms: 2500, retryAfter: true, failures: 1 });
    const capped = rig();
    capped.cooldown.failed(false, 'E', 429, 3_600_000);
    expect(capped.entered[0]).to.include({ ms: 5000 });
    const ignored = rig({ after_failures: 3, period_ms: 1000, max_retry_after_ms: 0 });
    ignored.cooldown.failed(false, 'E', 429, 2500);
    expect(ignored.cooldown.cooling()).to.equal(false);
  });

  it('an answer to an attempt sent before the period began does not end it', () => {
    const r = rig();
    const before = r.at();
    r.advance(10);
    for (let i = 0; i < 3; i++) r.cooldown.failed(false, 'E', 500, undefined);
    r.advance(10);
    r.cooldown.succeeded(before, false);
    expect(r.cooldown.cooling()).to.equal(true);
    r.cooldown.succeeded(r.at(), false); // a request that tried it anyway, sent during the period
    expect(r.cooldown.cooling()).to.equal(false);
  });
});
