import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  digestsEqual, generateKey, hashKey, isKeyShaped, keyIdOf, KEY_BODY_LENGTH, KEY_ID_LENGTH, normaliseKeyId, randomBase62,
} from '../../../plugins/auth/key-format.js';

describe('auth: key format', () => {
  it('is sk-sluice- and 40 base62 characters, with the first 8 as public id and a SHA-256 hash', () => {
    const k = generateKey();
    expect(k.key).to.match(/^sk-sluice-[0-9A-Za-z]{40}$/);
    expect(KEY_BODY_LENGTH).to.be.at.least(32);
    expect(k.id).to.equal(k.key.slice(10, 10 + KEY_ID_LENGTH)).and.to.have.length(8);
    expect(k.hash).to.equal(createHash('sha256').update(k.key).digest('hex'));
    expect(hashKey(k.key).toString('hex')).to.equal(k.hash);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey().key));
    expect(keys.size).to.equal(2000);
  });

  it('draws base62 characters without modulo bias', () => {
    // byte % 62 without rejection would give the first 8 characters 5/256 instead of 1/62 (+21 %).
    const n = 62 * 2500;
    const counts = new Map<string, number>();
    for (const ch of randomBase62(n)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).to.equal(62);
    for (const [ch, count] of counts) expect(Math.abs(count - 2500), `character ${ch}`).to.be.below(2500 * 0.12);
  });

  it('recognises key-shaped strings only', () => {
    const { key } = generateKey();
    expect(isKeyShaped(key)).to.equal(true);
    for (const bad of ['', 'sk-sluice-', 'sk-sluice-short', `${key} `, `x${key}`, key.replace(/.$/, '!'), 'sk-proj-' + key.slice(10), `sk-sluice-${'a'.repeat(65)}`]) {
      expect(isKeyShaped(bad), bad).to.equal(false);
    }
    expect(keyIdOf(key)).to.equal(key.slice(10, 18));
    expect(normaliseKeyId(key)).to.equal(key.slice(10, 18));
    expect(normaliseKeyId('AbCd1234')).to.equal('AbCd1234');
  });

  it('compares digests in constant time and refuses other lengths', () => {
    const a = hashKey('a');
    expect(digestsEqual(a, hashKey('a'))).to.equal(true);
    expect(digestsEqual(a, hashKey('b'))).to.equal(false);
    expect(digestsEqual(a, a.subarray(0, 16))).to.equal(false);
  });
});
