import { expect } from 'chai';
import { createClientAddressResolver } from '../../core/http/client-address.js';

describe('client address through trusted proxies', () => {
  it('trust off: the peer, whatever X-Forwarded-For says', () => {
    const r = createClientAddressResolver(false);
    expect(r.resolve('::ffff:10.0.0.5', '6.6.6.6')).to.equal('10.0.0.5');
    expect(r.trusts('10.0.0.5')).to.equal(false);
  });

  it('one hop: the entry the proxy appended, never the client-written left-most one', () => {
    const r = createClientAddressResolver({ hops: 1 });
    expect(r.resolve('10.0.0.2', '6.6.6.6, 203.0.113.9')).to.equal('203.0.113.9');
    expect(r.resolve('10.0.0.2', '203.0.113.9')).to.equal('203.0.113.9');
    expect(r.resolve('10.0.0.2', undefined)).to.equal('10.0.0.2');
    expect(createClientAddressResolver({ hops: 2 }).resolve('10.0.0.3', ['6.6.6.6, 198.51.100.7', '10.0.0.2'])).to.equal('198.51.100.7');
  });

  it('CIDRs: walks from the right past trusted proxies only; an untrusted peer is the client', () => {
    const r = createClientAddressResolver({ cidrs: ['10.0.0.0/8', '::1/128'] });
    expect(r.resolve('10.1.2.3', '6.6.6.6, 198.51.100.7, 10.9.9.9')).to.equal('198.51.100.7');
    expect(r.resolve('203.0.113.1', '1.2.3.4')).to.equal('203.0.113.1');
    expect(r.resolve('::1', 'not-an-ip, 198.51.100.7')).to.equal('198.51.100.7');
    expect(r.resolve('10.1.2.3', 'garbage')).to.equal('10.1.2.3');
    expect(r.trusts('::ffff:10.4.4.4')).to.equal(true);
    expect(r.trusts('192.168.1.1')).to.equal(false);
    expect(() => createClientAddressResolver({ cidrs: ['10.0.0.0/33'] })).to.throw(/prefix/);
    expect(() => createClientAddressResolver({ cidrs: ['nope'] })).to.throw(/not an IP/);
  });
});
