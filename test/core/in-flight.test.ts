import { expect } from 'chai';
import type { GatewayError } from '../../core/errors.js';
import { InFlight, type Cuttable } from '../../core/http/in-flight.js';

function request(name: string, cuts: string[]): Cuttable {
  return { inFlightPrev: undefined, inFlightNext: undefined, cut: (_e: GatewayError) => { cuts.push(name); return Promise.resolve(); }, lastOnConnection: () => {} };
}

describe('core/http/in-flight: the open requests list', () => {
  it('adds and removes in any order, removing twice or never-added harmlessly, and cuts those left', async () => {
    const cuts: string[] = [];
    const list = new InFlight();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => request(n, cuts)) as [Cuttable, Cuttable, Cuttable, Cuttable];
    for (const r of [a, b, c, d]) list.add(r);
    expect(list.size).to.equal(4);
    list.delete(c); // middle
    list.delete(d); // head
    list.delete(d); // again
    list.delete(request('x', cuts)); // never added
    expect(list.size).to.equal(2);
    expect(await list.cutAll({} as GatewayError, 1000)).to.equal(2);
    expect(cuts.sort()).to.deep.equal(['a', 'b']);
    expect(list.size).to.equal(0);
    list.add(c);
    list.delete(c);
    expect(list.size).to.equal(0);
    expect(await list.cutAll({} as GatewayError, 1000)).to.equal(0);
  });
});
