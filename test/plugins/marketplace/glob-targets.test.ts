// The router and offer providers: a glob target or fallback (`offer:*`) takes only the offers that
// sell the requested model (Provider.serves), so an offer for other models never answers a 404 that
// would end the fallbacks.
import { expect } from 'chai';
import { isGatewayError, parseOptions, type Provider, type SendContext, type UpstreamRequest } from '../../../core/index.js';
import { createProviderRegistry } from '../../../core/providers/registry.js';
import { OfferBook } from '../../../plugins/marketplace/offer-book.js';
import { routerOptions } from '../../../plugins/router/options.js';
import { compileRoutes } from '../../../plugins/router/routes.js';
import { quietLogger, LOCAL_OFFERS } from './rig.js';

describe('marketplace: offers as router targets', () => {
  it('offer:* fallbacks are the offers selling the model, by name; named targets are untouched', async () => {
    const registry = createProviderRegistry({});
    registry.add(registry.create('local', { type: 'loopback' }));
    let changes = 0;
    const book = new OfferBook(registry, quietLogger().logger, () => { changes++; }, () => ['*'], () => LOCAL_OFFERS);
    const offer = (id: string, models: string[]) => ({ id, models, protocol: 'openai' as const, base_url: 'http://127.0.0.1:9/v1', api_key: 'k', price: { input: 1, output: 2 } });
    await book.replace([offer('b-claude', ['claude*']), offer('a-gpt', ['gpt-4o*']), offer('c-any', ['*'])]);
    expect(changes).to.equal(1);
    const table = compileRoutes(parseOptions(routerOptions, { routes: [{ match: '*', provider: 'local', fallbacks: ['offer:*'] }] }), registry);
    const names = (model: string) => table.resolve(model)!.targets.map((t) => t.provider.name);
    expect(names('claude-3-haiku')).to.deep.equal(['local', 'offer:b-claude', 'offer:c-any']);
    expect(names('gpt-4o-mini')).to.deep.equal(['local', 'offer:a-gpt', 'offer:c-any']);
    const p: Provider = registry.get('offer:a-gpt')!;
    expect(p.offer).to.deep.equal({ id: 'a-gpt' });
    expect(p.prices).to.include({ input: 1, output: 2 });

    // Withdrawn from the catalogue: gone from the registry, and so from the routes.
    await book.replace([offer('c-any', ['*'])]);
    expect(names('gpt-4o-mini')).to.deep.equal(['local', 'offer:c-any']);
    // A changed offer is rebuilt under the same name.
    const before = registry.get('offer:c-any');
    await book.replace([{ ...offer('c-any', ['*']), price: { input: 3, output: 4 } }]);
    expect(registry.get('offer:c-any')).to.not.equal(before);
    expect(registry.get('offer:c-any')!.prices).to.include({ input: 3, output: 4 });
    await book.clear();
    expect(registry.names()).to.deep.equal(['local']);
    await registry.close();
  });

  it('an offer takes only the models both it and buy.models allow: glob targets skip it, a named target refuses before any upstream call', async () => {
    const registry = createProviderRegistry({});
    registry.add(registry.create('local', { type: 'loopback' }));
    let buyModels = ['gpt-4o*'];
    const book = new OfferBook(registry, quietLogger().logger, () => {}, () => buyModels, () => LOCAL_OFFERS);
    // `*` overlaps `gpt-4o*`, so the offer is bought — for gpt-4o models only.
    await book.replace([{ id: 'star', models: ['*', 'llama-3.1-70b', 'gpt-4o-mini'], protocol: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k', price: { input: 1, output: 2 } }]);
    const table = compileRoutes(parseOptions(routerOptions, { routes: [{ match: '*', provider: 'local', fallbacks: ['offer:*'] }] }), registry);
    const names = (model: string) => table.resolve(model)!.targets.map((t) => t.provider.name);
    expect(names('gpt-4o-mini')).to.deep.equal(['local', 'offer:star']);
    expect(names('llama-3.1-70b')).to.deep.equal(['local']);
    expect(names('claude-3-opus')).to.deep.equal(['local']);
    const star = registry.get('offer:star')!;
    expect(star.models).to.deep.equal(['gpt-4o-mini']);

    // Named outright (a route written after the offer appeared): refused in send, as unavailable (dispatch falls back).
    const request = (model: string): UpstreamRequest => ({ protocol: { family: 'openai', operation: 'chat' }, body: { model, messages: [] }, stream: false, model });
    const ctx: SendContext = { signal: new AbortController().signal, requestId: 'r1', forwardHeaders: {} };
    const refusal = await star.send(request('claude-3-opus'), ctx).then(() => undefined, (e: unknown) => e);
    expect(isGatewayError(refusal) && refusal.code).to.equal('SLUICE_E_UPSTREAM_UNAVAILABLE');
    expect((refusal as Error).message).to.include('does not take model `claude-3-opus`');
    // Allowed: it goes upstream (nothing listens on port 9: a connection error, not the refusal).
    const sent = await star.send(request('gpt-4o-mini'), ctx).then(() => undefined, (e: unknown) => e);
    expect(String((sent as Error).message)).to.not.include('does not take model');

    // buy.models read per request: a reload narrowing or widening it applies at once.
    buyModels = ['gpt-4o*', 'llama-*'];
    expect(names('llama-3.1-70b')).to.deep.equal(['local', 'offer:star']);
    await book.clear();
    await registry.close();
  });
});
