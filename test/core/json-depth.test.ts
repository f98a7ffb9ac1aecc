// The ingress depth scan must agree exactly with the nesting JSON.parse sees, for any valid JSON:
// brackets in strings, escaped quotes, backslash runs and multi-byte text must not fool it.
import { expect } from 'chai';
import { exceedsJsonDepth } from '../../core/protocols/json-depth.js';
import { prng } from '../helpers/prng.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Depth as the parsed value has it (the reference the scan must match). */
function parsedDepth(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((m, c) => Math.max(m, parsedDepth(c)), 0);
}

const TRICKY_STRINGS = ['', '[', ']', '{[{', '\\', '\\\\', '"', '\\"', 'a\\\\"b', 'é€😀', '\u0000', '}}]]', '\\u005b'];

function randomValue(rand: () => number, budget: number): unknown {
  const r = rand();
  if (budget <= 0 || r < 0.3) {
    const leaf = rand();
    return leaf < 0.5 ? TRICKY_STRINGS[Math.floor(rand() * TRICKY_STRINGS.length)] : leaf < 0.7 ? rand() * 1e6 : leaf < 0.85 ? null : true;
  }
  const n = Math.floor(rand() * 4);
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(rand, budget - 1));
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${TRICKY_STRINGS[i % TRICKY_STRINGS.length]}${i}`, randomValue(rand, budget - 1)]));
}

describe('JSON depth scan', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(exceedsJsonDepth(bytes('1'), 0)).to.equal(false);
    expect(exceedsJsonDepth(bytes('{}'), 0)).to.equal(true);
    expect(exceedsJsonDepth(bytes('{}'), 1)).to.equal(false);
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[]}]}'), 3)).to.equal(true);
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[]}]}'), 4)).to.equal(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslash runs', () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: '[[[[[[[[' })), 1)).to.equal(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: 'say \\"[[[[\\"' })), 1)).to.equal(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: 'ends in a backslash \\', b: [[[]]] })), 3)).to.equal(true);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ a: 'ends in a backslash \\', b: [[[]]] })), 4)).to.equal(false);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ '[{': '}]', 'é': '€[😀' })), 1)).to.equal(false);
  });

  it('matches the parsed depth exactly on 2,000 seeded random documents', () => {
    const rand = prng(8).next;
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(randomValue(rand, 12));
      const depth = parsedDepth(JSON.parse(text));
      expect(exceedsJsonDepth(bytes(text), depth), text).to.equal(false);
      if (depth > 0) expect(exceedsJsonDepth(bytes(text), depth - 1), text).to.equal(true);
    }
  });

  it('stops at the limit on a body nested millions deep (JSON.parse takes seconds on those)', () => {
    const deep = bytes('['.repeat(5_000_000) + ']'.repeat(5_000_000));
    // The fastest of five: a loaded machine can take the core from any one run; a scan of the
    // whole body (or JSON.parse) is slow in every one.
    let fastest = Infinity;
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      expect(exceedsJsonDepth(deep, 128)).to.equal(true);
      fastest = Math.min(fastest, performance.now() - started);
    }
    expect(fastest).to.be.below(50);
  });

  it('leaves unterminated strings to JSON.parse', () => {
    expect(exceedsJsonDepth(bytes('{"a": "[[[[[['), 2)).to.equal(false);
  });
});
