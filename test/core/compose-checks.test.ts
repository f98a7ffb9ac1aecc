// The checking chain (development and tests) names the plugin that misuses next(): called twice,
// not awaited — and, as docs/writing-plugins.md promises for every such mistake, one that returns
// without calling next() and without answering. That one used to surface only as "the chain
// finished without a response", naming no plugin.
import { expect } from 'chai';
import type { SluiceContext } from '../../core/index.js';
import { composeChain } from '../../core/plugin/compose.js';

const ctx = () => ({ exchange: { response: undefined } }) as unknown as SluiceContext;
const run = (middleware: (c: SluiceContext, next: () => Promise<void>) => Promise<void>, c = ctx()) =>
  composeChain([{ name: 'first', middleware: async (_, next) => { await next(); } }, { name: 'mine', middleware }], true)(c, async () => {
    (c.exchange as { response: unknown }).response = { kind: 'json' };
  });

describe('the checking chain', () => {
  it('names a plugin that neither calls next() nor answers', async () => {
    const err = await run(async () => {}).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal('plugin mine neither called next() nor answered: await next(), or answer with exchange.reply() or a GatewayError');
  });

  it('accepts a plugin that answers without calling next()', async () => {
    await run(async (c) => { (c.exchange as { response: unknown }).response = { kind: 'json' }; });
  });

  it('still names a plugin that calls next() twice', async () => {
    const err = await run(async (_, next) => { await next(); await next(); }).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal('plugin mine called next() more than once');
  });
});
