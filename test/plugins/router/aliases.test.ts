// Router aliases: an alias naming another alias resolves through the chain to the model it finally
// stands for (then the routes are tried); a cycle or a chain past the depth limit is refused when the
// options are read, at the alias's file:line:column, naming the whole chain.
import { expect } from 'chai';
import path from 'node:path';
import { ConfigError } from '../../../core/config/config-error.js';
import type { ProviderConfig } from '../../../core/config/schema.js';
import { parseConfigText } from '../../../core/config/load.js';
import { loadChain } from '../../../core/plugin/loader.js';
import { createProviderRegistry, type OwnedProviderRegistry } from '../../../core/providers/registry.js';
import { parseOptions } from '../../../core/schema/schema.js';
import { MAX_ALIAS_HOPS, resolveAliases } from '../../../plugins/router/aliases.js';
import { routerOptions } from '../../../plugins/router/options.js';
import { compileRoutes } from '../../../plugins/router/routes.js';
import { tempDir } from '../../helpers/gateway.js';

const loopback = (models: string[] = []): ProviderConfig => ({ type: 'loopback', models, headers: {}, timeouts: { connect_ms: 1, first_byte_ms: 1, idle_ms: 1 }, connections: 1 } as ProviderConfig);

/** The ConfigError loading this router `with:` (YAML flow mapping) gives, or undefined when it loads. */
async function loadError(withText: string): Promise<{ err: ConfigError | undefined; file: string }> {
  const file = path.join(tempDir('sluice-aliases-'), 'sluice.yaml');
  const loaded = parseConfigText(`providers: { local: { type: loopback } }
chain:
  - use: router
    with:
      default: local
${withText}
`, file, {});
  try { await loadChain(loaded); } catch (e) { return { err: e as ConfigError, file }; }
  return { err: undefined, file };
}

describe('router: alias chains', () => {
  let registry: OwnedProviderRegistry;
  beforeEach(() => { registry = createProviderRegistry({ local: loopback(), gem: loopback(), fastprov: loopback() }); });
  afterEach(async () => { await registry.close(); });

  it('resolves an alias of an alias to the final model, then routes it', () => {
    const options = parseOptions(routerOptions, {
      default: 'local',
      routes: [{ match: 'gemini-*', provider: 'gem' }],
      aliases: { quick: 'fast', fast: 'gemini-x' },
    });
    const table = compileRoutes(options, registry);
    const quick = table.resolve('quick')!;
    expect(quick.targets.map((t) => [t.provider.name, t.model])).to.deep.equal([['gem', 'gemini-x']]);
    expect(table.resolve('fast')!.targets.map((t) => [t.provider.name, t.model])).to.deep.equal([['gem', 'gemini-x']]);
    // The listing says where the alias goes too.
    expect(table.listModels()).to.deep.include({ id: 'quick', provider: 'gem' });
  });

  it('follows a chain up to the depth limit', () => {
    const aliases: Record<string, string> = {};
    for (let i = 0; i < MAX_ALIAS_HOPS - 1; i++) aliases[`a${i}`] = `a${i + 1}`;
    aliases[`a${MAX_ALIAS_HOPS - 1}`] = 'gemini-deep';
    const options = parseOptions(routerOptions, { default: 'local', routes: [{ match: 'gemini-*', provider: 'gem' }], aliases });
    expect(compileRoutes(options, registry).resolve('a0')!.targets.map((t) => t.model)).to.deep.equal(['gemini-deep']);
  });

  it('an alias chain ending in a route with its own upstream model still sends that model', () => {
    const options = parseOptions(routerOptions, {
      default: 'local', routes: [{ match: 'fast-model', provider: 'fastprov', model: 'upstream-name' }], aliases: { quick: 'fast', fast: 'fast-model' },
    });
    expect(compileRoutes(options, registry).resolve('quick')!.targets.map((t) => [t.provider.name, t.model])).to.deep.equal([['fastprov', 'upstream-name']]);
  });

  it('refuses a cycle at start-up, at the alias line, naming the cycle', async () => {
    const { err, file } = await loadError('      aliases:\n        a: b\n        b: a');
    expect(err).to.be.instanceOf(ConfigError);
    expect(err!.location).to.deep.include({ file, line: 7 });
    expect(err!.message).to.match(/^.*sluice\.yaml:7:\d+: plugin router: chain\[0\]\.with\.aliases\.a: /);
    expect(err!.message).to.contain('a → b → a');
    // One cycle, one error (not one more for b).
    expect(err!.message.split('\n')).to.have.length(1);
  });

  it('an alias to itself names the model of that name (it loaded before chains); a cycle entered from outside is refused', async () => {
    expect((await loadError('      aliases: { a: a, b: a }')).err).to.equal(undefined);
    expect(resolveAliases({ a: 'a', b: 'a' }).resolved).to.deep.equal(new Map([['a', 'a'], ['b', 'a']]));
    const { err } = await loadError('      aliases:\n        entry: x\n        x: y\n        y: x');
    expect(err?.message).to.contain('x → y → x');
    expect(err?.location?.line).to.equal(8); // at x, where the cycle starts
  });

  it('refuses a chain longer than the depth limit', async () => {
    const lines: string[] = [];
    for (let i = 0; i <= MAX_ALIAS_HOPS; i++) lines.push(`        a${i}: a${i + 1}`); // one alias more than allowed
    const { err } = await loadError(`      aliases:\n${lines.join('\n')}`);
    expect(err).to.be.instanceOf(ConfigError);
    expect(err!.message).to.contain(`more than ${MAX_ALIAS_HOPS}`);
    expect(err!.location?.line).to.equal(7); // at a0, the head
  });

  it('still loads plain aliases', async () => {
    expect((await loadError('      aliases: { fast: gpt-4o-mini, smart: gpt-4o }')).err).to.equal(undefined);
  });
});
