// `sluice prices [MODEL…] [--config FILE] [--json]`: the prices the ledger's costs and the budgets
// use — the config's `pricing:` before the shipped list, and each provider's own `prices` — or,
// given model names, which entry prices each of them. The shipped list is compiled code; this is
// how an operator reads it, and checks an override took, without the source.
import type { TokenPrices } from '../pricing/price-table.js';
import { configFile } from './config-file.js';
import type { Io } from './io.js';
import { table } from './table.js';
import { parseCommand, stringValue, USAGE } from './usage.js';

/** Where an entry comes from, by the table's position in the lookup (config first). */
const SOURCES = ['config', 'shipped'] as const;
const COLUMNS = ['source', 'pattern', 'input', 'output', 'cached_read', 'cache_write', 'cache_write_1h', 'reasoning', 'long_context'];

export async function pricesCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals, help } = parseCommand(args, USAGE.prices, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, Infinity);
  if (help) { io.out(USAGE.prices); return 0; }
  const [{ loadConfigFile }, { validateConfig }, { DEFAULT_PRICES, PRICES_AS_OF }, { createPriceTable, effectivePrices }, { LOOPBACK_PRICES }] = await Promise.all([
    import('../config/load.js'), import('./validate.js'), import('../pricing/default-prices.js'), import('../pricing/price-table.js'), import('../providers/loopback/loopback.js'),
  ]);
  const loaded = await loadConfigFile(configFile(stringValue(values, 'config')));
  // Prices read from a config that would not start (a provider of an unknown type) are not the
  // prices anything charges: refused as validate refuses it.
  await validateConfig(loaded);
  const { config } = loaded;
  const tables: Record<string, TokenPrices>[] = [config.pricing, DEFAULT_PRICES];
  /** An entry as charged: every class's price, the defaults filled in. */
  const row = (source: string, pattern: string, p: TokenPrices) => ({
    source, pattern, ...effectivePrices(p),
    long_context: p.long_context ? { above_input_tokens: p.long_context.above_input_tokens, ...effectivePrices(p.long_context) } : null,
    tiers: p.tiers ?? null, web_search: p.web_search ?? null, web_fetch: p.web_fetch ?? null,
  });
  let rows: Record<string, unknown>[];
  if (positionals.length === 0) {
    rows = tables.flatMap((t, i) => Object.entries(t).map(([pattern, p]) => row(SOURCES[i]!, pattern, p)));
    for (const [name, provider] of Object.entries(config.providers)) {
      // The loopback model's own prices are 0 unless given (LOOPBACK_PRICES): what its rows cost.
      const own = provider.prices ?? (provider.type === 'loopback' ? LOOPBACK_PRICES : undefined);
      if (own) rows.push(row(`provider ${name}`, '*', own));
    }
  } else {
    const prices = createPriceTable(...tables);
    rows = positionals.map((model) => {
      const m = prices.match(model);
      return { model, ...(m ? row(SOURCES[m.table]!, m.pattern, m.prices) : { source: 'unpriced' }) };
    });
  }
  if (values['json'] === true) {
    io.out(JSON.stringify({ shipped_as_of: PRICES_AS_OF, prices: rows }));
    return 0;
  }
  const shown = rows.map((r) => ({ ...r, long_context: longText(r['long_context'] as LongRow | null | undefined) }));
  io.out(table(shown, positionals.length ? ['model', ...COLUMNS] : COLUMNS));
  io.out(`\nUSD per million tokens. The shipped list is as of ${PRICES_AS_OF}: check it against your contract and put yours under pricing:.`);
  if (shown.some((r) => r.long_context)) io.out('LONG_CONTEXT: the rates once a prompt passes that many tokens — input / output / cached_read / cache_write / cache_write_1h / reasoning.');
  if (positionals.length) io.out("A provider's own prices (providers.NAME.prices) win over these for what it serves.");
  io.out('Service tiers (flex, priority, batch…) and per-call fees (web_search, web_fetch per 1,000): --json.');
  return 0;
}

interface LongRow { above_input_tokens: number; input: number; output: number; cached_read: number; cache_write: number; cache_write_1h: number; reasoning: number }
/** Every class's long-context rate, in the table's column order. */
const longText = (l: LongRow | null | undefined): string => (l ? `past ${l.above_input_tokens}: ${[l.input, l.output, l.cached_read, l.cache_write, l.cache_write_1h, l.reasoning].join(' / ')}` : '');
