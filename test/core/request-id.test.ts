// Fresh request ids: the format clients and logs rely on, unique, ordered by time (the ledger's
// primary key appends instead of landing on a random page) and still unguessable (80 random bits).
import { expect } from 'chai';
import { freshRequestId, requestIdFor } from '../../core/http/ingress.js';

describe('request ids', () => {
  it('are req_ and 32 hex digits, and pass the check a client-sent id must pass', () => {
    const id = freshRequestId();
    expect(id).to.match(/^req_[0-9a-f]{32}$/);
    expect(requestIdFor(id)).to.equal(id);
  });

  it('begin with the time in ms, so ids minted later sort later', () => {
    const t = Date.UTC(2026, 11, 5, 12, 0, 0, 1);
    expect(freshRequestId(t).slice(4, 16)).to.equal(t.toString(16).padStart(12, '0'));
    const ids = [t, t + 1, t + 2, t + 1000, t + 86_400_000].map((ms) => freshRequestId(ms));
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('differ in their random bits within one millisecond, across pool refills', () => {
    const t = Date.now();
    const ids = Array.from({ length: 2000 }, () => freshRequestId(t)); // ~8 refills of the 256-id pool
    expect(new Set(ids).size).to.equal(ids.length);
    const randomParts = new Set(ids.map((id) => id.slice(16)));
    expect(randomParts.size).to.equal(ids.length);
    // Every random hex digit position takes many values (not a counter, not a constant).
    for (let pos = 16; pos < 36; pos++) expect(new Set(ids.map((id) => id[pos])).size, `digit ${pos}`).to.be.greaterThan(10);
  });

  it('mint a fresh id for a missing or unsafe client id, and keep a safe one', () => {
    expect(requestIdFor(undefined)).to.match(/^req_[0-9a-f]{32}$/);
    expect(requestIdFor('has space')).to.match(/^req_[0-9a-f]{32}$/);
    expect(requestIdFor('client-42')).to.equal('client-42');
  });
});
