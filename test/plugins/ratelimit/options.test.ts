// Options of `use: ratelimit`: what validates, what is refused and with which message.
import { expect } from 'chai';
import { createTestHost } from '../../../core/testing/index.js';
import { parseOptions, SchemaError, type Host } from '../../../core/index.js';
import { createLogger } from '../../../core/observability/logger.js';
import plugin from '../../../plugins/ratelimit/index.js';
import { ratelimitOptions } from '../../../plugins/ratelimit/options.js';

function problems(input: unknown): string {
  try {
    parseOptions(ratelimitOptions, input);
  } catch (err) {
    if (err instanceof SchemaError) return err.message;
    throw err;
  }
  return '';
}

describe('ratelimit: options', () => {
  it('defaults: memory store, open on store errors, UTC, no rules, key limits on', () => {
    const o = parseOptions(ratelimitOptions, {});
    expect(o).to.include({ store: 'memory', on_store_error: 'open', timezone: 'UTC', key_limits: true, default_max_output_tokens: 4096 });
    expect(o.rules).to.deep.equal([]);
  });

  it('takes the documented example', () => {
    const o = parseOptions(ratelimitOptions, {
      store: 'redis', on_store_error: 'closed', timezone: 'Europe/Berlin',
      rules: [{ scope: 'team', match: '*', rpm: 600, tpm: 2_000_000, budget_daily_usd: 50 }, { scope: 'session', budget_usd: 5 }],
      exempt: ['count_tokens'],
    });
    expect(o.rules[1]).to.deep.equal({ scope: 'session', match: '*', budget_usd: 5 });
  });

  it('refuses a rule without a limit, an unknown scope, an unknown option and a bad time zone', () => {
    expect(problems({ rules: [{ scope: 'team' }] })).to.match(/at least one limit/);
    expect(problems({ rules: [{ scope: 'org', rpm: 1 }] })).to.match(/scope/);
    expect(problems({ rules: [{ scope: 'team', rpm: 1, rmp: 2 }] })).to.match(/rmp/);
    expect(problems({ timezone: 'Mars/Olympus' })).to.match(/timezone/);
    expect(problems({ rules: [{ scope: 'key', rpm: 0 }] })).to.match(/rpm/);
    expect(problems({ rules: [{ scope: 'key', budget_daily_usd: -1 }] })).to.match(/budget_daily_usd/);
    expect(problems({ on_store_error: 'maybe' })).to.match(/on_store_error/);
  });

  it('store: redis without storage.redis is a config error naming it', async () => {
    const host = createTestHost();
    const options = parseOptions(ratelimitOptions, { store: 'redis' });
    let message = '';
    try { await plugin.setup!(options, host); } catch (err) { message = (err as Error).message; }
    expect(message).to.match(/storage\.redis/);
  });

  it('a memory store where the config has storage.redis (several instances) is warned of at start: each instance would count alone', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => { lines.push(l); } });
    const teamConfig = { providers: {}, chain: [], storage: { redis: 'redis://127.0.0.1:6379' } } as unknown as Host['config'];
    const shared = await plugin.setup!(parseOptions(ratelimitOptions, { rules: [{ scope: 'global', rpm: 5 }] }), createTestHost({ logger, config: teamConfig }));
    await shared.start!();
    await shared.close!();
    const warned = lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn');
    expect(warned.map((l) => l.msg)).to.deep.equal(['rate limits are counted in this instance only (store: memory) although storage.redis is set: instances sharing keys each admit the whole limit; set store: redis']);
    // Without storage.redis (one instance), nothing to say.
    lines.length = 0;
    const alone = await plugin.setup!(parseOptions(ratelimitOptions, { rules: [{ scope: 'global', rpm: 5 }] }), createTestHost({ logger }));
    await alone.start!();
    await alone.close!();
    expect(lines.filter((l) => l.includes('"warn"'))).to.deep.equal([]);
  });

  it('setup has no side effects: a memory store builds without a connection or a timer', async () => {
    const instance = await plugin.setup!(parseOptions(ratelimitOptions, { rules: [{ scope: 'global', rpm: 5 }] }), createTestHost());
    expect(instance.middleware).to.be.a('function');
    expect(instance.onRequest).to.be.a('function');
  });
});

describe('ratelimit: place in the chain', function () {
  this.timeout(20_000);
  it('before the router, `sluice config validate` refuses the chain and says where it goes', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { sluice } = await import('../../integration/auth-helpers.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-rl-order-'));
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'providers:\n  local: { type: loopback }\nchain:\n  - use: ratelimit\n  - use: router\n    with: { default: local }\n');
    const r = await sluice(['config', 'validate', '--config', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('plugin ratelimit needs "routing" earlier in the chain: move it after router');
  });
});

describe('ratelimit: scopes', () => {
  it('key_kind counts every key of a kind together (a sold offer\'s capacity across its buyers)', async () => {
    const { subjectOf } = await import('../../../plugins/ratelimit/counters.js');
    type Ex = Parameters<typeof subjectOf>[1];
    const buyer = (keyId: string) => ({ principal: { user: keyId, keyId, keyKind: 'marketplace' } }) as unknown as Ex;
    expect(subjectOf('key_kind', buyer('a1'))).to.equal('marketplace');
    expect(subjectOf('key_kind', buyer('b2'))).to.equal('marketplace');
    expect(subjectOf('key', buyer('b2'))).to.equal('b2');
    expect(subjectOf('key_kind', { principal: { user: 'anonymous' } } as unknown as Ex)).to.equal(undefined);
    expect(ratelimitOptions.parse({ rules: [{ scope: 'key_kind', match: 'marketplace', rpm: 600 }] }).rules[0]!.scope).to.equal('key_kind');
  });
});
