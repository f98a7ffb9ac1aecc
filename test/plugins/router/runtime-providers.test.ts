// Providers added and removed while running: the router resolves names on every request.
import { expect } from 'chai';
import { createProviderRegistry } from '../../../core/providers/registry.js';
import { compileRoutes } from '../../../plugins/router/routes.js';
import type { RouterOptions } from '../../../plugins/router/options.js';
import type { ProviderConfig } from '../../../core/config/schema.js';

const loopback = (models: string[] = []): ProviderConfig => ({ type: 'loopback', models, headers: {}, timeouts: { connect_ms: 1, first_byte_ms: 1, idle_ms: 1 }, connections: 1 } as ProviderConfig);

describe('router: runtime providers', () => {
  const options = {
    mode: 'auto', aliases: {}, fallbacks: [], default: 'local',
    routes: [{ match: 'gpt-*', provider: 'primary', fallbacks: ['offer:*'] }],
  } as unknown as RouterOptions;

  it('a glob fallback picks up providers added later, and drops removed ones', async () => {
    const registry = createProviderRegistry({ local: loopback(), primary: loopback() });
    const table = compileRoutes(options, registry);
    expect(table.resolve('gpt-x')!.targets.map((t) => t.provider.name)).to.deep.equal(['primary']);
    registry.add(registry.create('offer:b', loopback()));
    registry.add(registry.create('offer:a', loopback(['gpt-offered'])));
    expect(table.resolve('gpt-x')!.targets.map((t) => t.provider.name)).to.deep.equal(['primary', 'offer:a', 'offer:b']);
    expect(table.listModels()).to.deep.include({ id: 'gpt-offered', provider: 'primary' });
    expect(await registry.remove('offer:a')).to.equal(true);
    expect(await registry.remove('offer:a')).to.equal(false);
    expect(table.resolve('gpt-x')!.targets.map((t) => t.provider.name)).to.deep.equal(['primary', 'offer:b']);
    await registry.close();
  });

  it('a glob tries the cheapest providers first (their own prices), then by name', async () => {
    const registry = createProviderRegistry({ local: loopback(), primary: loopback() });
    const table = compileRoutes(options, registry);
    const priced = (input: number, output: number) => ({ ...loopback(), prices: { input, output } }) as ProviderConfig;
    registry.add(registry.create('offer:a-dear', priced(5, 15)));
    registry.add(registry.create('offer:b-cheap', priced(1, 2)));
    // A loopback's implicit price is 0 (loopback-price.test.ts), yet a free stand-in model is never
    // a glob's first choice: it sorts with the unpriced, last.
    registry.add(registry.create('offer:c-unpriced', loopback()));
    registry.add(registry.create('offer:d-cheap', priced(2, 1)));
    expect(table.resolve('gpt-x')!.targets.map((t) => t.provider.name)).to.deep.equal(['primary', 'offer:b-cheap', 'offer:d-cheap', 'offer:a-dear', 'offer:c-unpriced']);
    await registry.close();
  });

  it('a plain name must exist at start-up; a provider removed later is skipped', async () => {
    const registry = createProviderRegistry({ local: loopback() });
    expect(() => compileRoutes(options, registry)).to.throw(/names provider "primary"/).with.property('option').that.deep.equals(['routes', 0, 'provider']);
    registry.add(registry.create('primary', loopback()));
    const table = compileRoutes(options, registry);
    await registry.remove('primary');
    expect(table.resolve('gpt-x')!.targets).to.deep.equal([]);
    expect(table.resolve('other')!.targets.map((t) => t.provider.name)).to.deep.equal(['local']);
    await registry.close();
  });

  it('a reload rebuilds only the providers whose entry changed, and removes dropped ones', async () => {
    const registry = createProviderRegistry({ a: loopback(), b: loopback() });
    const a = registry.get('a');
    let changes = 0;
    registry.onChange(() => changes++);
    await registry.replaceConfigured({ a: loopback(), b: loopback(['m']), c: loopback() });
    expect(registry.get('a')).to.equal(a);
    expect(registry.get('b')!.models).to.deep.equal(['m']);
    expect(registry.names().sort()).to.deep.equal(['a', 'b', 'c']);
    await registry.replaceConfigured({ a: loopback() });
    expect(registry.names()).to.deep.equal(['a']);
    expect(changes).to.equal(2);
    expect(() => registry.create('x', { ...loopback(), type: 'nope' } as unknown as ProviderConfig)).to.throw(/unknown provider type "nope"/);
    await registry.close();
  });
});
