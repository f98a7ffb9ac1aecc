import { expect } from 'chai';
import { parseOptions, SchemaError } from '../../../core/schema/schema.js';
import { authOptions } from '../../../plugins/auth/options.js';

function problems(value: unknown): string[] {
  try { parseOptions(authOptions, value); } catch (err) { if (err instanceof SchemaError) return err.problems.map((p) => `${p.path.join('.')}: ${p.message}`); throw err; }
  return [];
}

describe('auth: options', () => {
  it('defaults to api_key with a 30 s cache', () => {
    expect(parseOptions(authOptions, {})).to.include({ mode: 'api_key', cache_ttl_ms: 30_000, change_poll_ms: 1000 });
  });

  it('proxy_header needs trusted_proxies, valid CIDRs and lower-cases header names', () => {
    expect(problems({ mode: 'proxy_header' })[0]).to.match(/^trusted_proxies: mode proxy_header needs trusted_proxies/);
    expect(problems({ mode: 'proxy_header', trusted_proxies: ['10.0.0.0/33'] })[0]).to.match(/^trusted_proxies\.0: expected an IP address or CIDR/);
    const o = parseOptions(authOptions, { mode: 'proxy_header', trusted_proxies: ['10.0.0.0/8', '::1'], header: 'X-Auth-Request-Email', groups_header: 'X-Auth-Request-Groups', auto_create: true, default_team: 'guests' });
    expect(o).to.include({ header: 'x-auth-request-email', groups_header: 'x-auth-request-groups', auto_create: true, default_team: 'guests' });
  });

  it('refuses proxy options in other modes and unknown options', () => {
    expect(problems({ mode: 'api_key', trusted_proxies: ['10.0.0.1'] })[0]).to.equal('trusted_proxies: trusted_proxies applies only to mode proxy_header');
    expect(problems({ mode: 'none', header: 'x-user' })[0]).to.equal('header: header applies only to mode proxy_header');
    expect(problems({ mdoe: 'none' })[0]).to.match(/^mdoe: /);
    expect(problems({ mode: 'basic' })[0]).to.match(/^mode: /);
  });

  it('validates hooks: an http(s) URL, a secret of 16+ characters, known events', () => {
    expect(problems({ hooks: { webhook: { url: 'ftp://x', secret: 'x'.repeat(16) } } })[0]).to.match(/^hooks\.webhook\.url: /);
    expect(problems({ hooks: { webhook: { url: 'https://x.example/h', secret: 'short' } } })[0]).to.match(/^hooks\.webhook\.secret: /);
    expect(problems({ hooks: { events: ['key.exploded'] } })[0]).to.match(/^hooks\.events\.0: /);
    expect(problems({ hooks: { command: { run: ['/bin/true'] }, events: ['key.revoked'] } })).to.deep.equal([]);
  });
});
