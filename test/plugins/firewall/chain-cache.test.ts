// The scan cache: a conversation resent every turn is scanned once per segment; the cache is bounded;
// a segment scanned while the Presidio sidecar was failing is not remembered.
import { expect } from 'chai';
import { createDetectionEngine, type DetectionEngine } from '../../../plugins/firewall/engine.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';
import { createRequestScanner } from '../../../plugins/firewall/request-scan.js';
import { ScanCache } from '../../../plugins/firewall/scan-cache.js';
import type { Finding } from '../../../plugins/firewall/types.js';

/** The default engine, counting how many texts it really scanned. */
function countingEngine(): DetectionEngine & { scanned: string[] } {
  const inner = createDetectionEngine(firewallOptions.parse({}));
  const scanned: string[] = [];
  return {
    scanned,
    ruleCount: inner.ruleCount,
    scan: (text) => { scanned.push(text); return inner.scan(text); },
    scanWithSidecar: async (text) => { scanned.push(text); return inner.scan(text); },
    sidecarReady: () => inner.sidecarReady(),
  };
}

const turn = (i: number) => `turn ${i}: the build failed on step ${i}; the log says the cache was cold and the retry worked. Mail ops${i}@corp-mail.io.`;

describe('firewall scan cache', () => {
  it('a resent conversation scans only its new segments, with the same findings', async () => {
    const engine = countingEngine();
    const scanner = createRequestScanner(engine, new ScanCache(1000), { configured: false, failures: () => 0 });
    const history: string[] = [];
    let previous: (readonly Finding[])[] = [];
    for (let i = 0; i < 20; i++) {
      history.push(turn(i));
      engine.scanned.length = 0;
      const found = await scanner.scan(history);
      expect(engine.scanned, `turn ${i}`).to.deep.equal([turn(i)]);
      expect(found.slice(0, i)).to.deep.equal(previous);
      expect(found[i]!.map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS']);
      previous = found;
    }
    expect(scanner.cache.hits).to.equal(190);
  });

  it('short texts keyed as one run: a change inside the run rescans only the changed text, with its own findings', async () => {
    const engine = countingEngine();
    const scanner = createRequestScanner(engine, new ScanCache(1000), { configured: false, failures: () => 0 });
    const short = ['npm test', '/work/app', 'mail ops@corp-mail.io', 'ls -la', 'cat README.md'];
    const first = await scanner.scan(short);
    expect(engine.scanned).to.deep.equal(short);
    expect(first.map((f) => f.map((x) => x.type))).to.deep.equal([[], [], ['EMAIL_ADDRESS'], [], []]);
    engine.scanned.length = 0;
    expect(await scanner.scan(short)).to.deep.equal(first);
    expect(engine.scanned, 'the run is one hit').to.deep.equal([]);
    const changed = [...short];
    changed[3] = 'mail dev@corp-mail.io';
    const second = await scanner.scan(changed);
    expect(engine.scanned).to.deep.equal(['mail dev@corp-mail.io']);
    expect(second.map((f) => f.map((x) => x.type))).to.deep.equal([[], [], ['EMAIL_ADDRESS'], ['EMAIL_ADDRESS'], []]);
  });

  it('is bounded, evicting the least recently used', () => {
    const cache = new ScanCache(4);
    for (const key of ['a', 'b']) cache.set(key, []);
    cache.set('c', []); // a and b are now the old generation
    expect(cache.get('a')).to.deep.equal([]); // used again: moved to the young one
    cache.set('d', []); // young full (c, a): it becomes the old; b is dropped
    cache.set('e', []);
    expect(cache.size).to.be.at.most(4);
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')).to.deep.equal([]);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, []);
    expect(cache.size).to.be.at.most(4);
    const none = new ScanCache(0);
    none.set('a', []);
    expect(none.get('a')).to.equal(undefined);
  });

  it('keys by content: one changed character is a new segment', () => {
    expect(ScanCache.keyOf(turn(1))).to.equal(ScanCache.keyOf(turn(1)));
    expect(ScanCache.keyOf(turn(1))).not.to.equal(ScanCache.keyOf(turn(1).replace('ops1', 'ops2')));
  });

  it('with a sidecar: a segment scanned during a sidecar failure is scanned again next time', async () => {
    const engine = countingEngine();
    let failures = 0;
    let failing = true;
    const flaky: DetectionEngine = { ...engine, scanWithSidecar: async (text) => { if (failing) failures++; return engine.scanWithSidecar(text); } };
    const scanner = createRequestScanner(flaky, new ScanCache(100), { configured: true, failures: () => failures });
    const texts = [turn(1), turn(2), turn(3), turn(4), turn(5), turn(6)];
    await scanner.scan(texts);
    expect(scanner.cache.size, 'nothing remembered from a failing sidecar').to.equal(0);
    failing = false;
    engine.scanned.length = 0;
    await scanner.scan(texts);
    expect(engine.scanned).to.have.members(texts);
    expect(scanner.cache.size).to.equal(6);
    engine.scanned.length = 0;
    await scanner.scan(texts);
    expect(engine.scanned).to.deep.equal([]);
  });
});
