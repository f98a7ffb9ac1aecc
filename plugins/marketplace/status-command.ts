// `sluice marketplace status [--json]`: the last push and pull (times, results), the outbox depth and
// the offers in use, read from the database the running gateway writes them to.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeParseError, maskUrl, spillDatabase, table, type CommandHost, type CommandIO, type PluginCommand } from '../../core/index.js';
import type { OfferInUse } from './offer-book.js';
import type { MarketplaceOptions } from './options.js';
import { OUTBOX_TABLE, STATUS_TABLE } from './migrations.js';
import { OutboxSpill } from './outbox-spill.js';
import { outboxStore } from './outbox-store.js';
import { readStatus, type StatusEntry } from './status-store.js';

export const STATUS_HELP = `Usage: sluice marketplace status [--config FILE] [--json]

The marketplace sync as the running gateway last recorded it: the last usage push, offer pull and
offer publish (time, result, last success), usage records waiting in the outbox (and in the spill
file, for a database that was down), and the offers in use.

Options:
  -c, --config FILE   the config whose database to read
      --json          JSON
  -h, --help          show this help`;

const write = (stream: NodeJS.WritableStream, text: string) => { stream.write(text.endsWith('\n') ? text : `${text}\n`); };
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function entryJson(e: StatusEntry | undefined) {
  return e ? { time: iso(e.timeMs), ok: e.ok, result: e.result, detail: e.detail, last_ok: iso(e.lastOkMs) } : null;
}

export const statusCommand: PluginCommand<MarketplaceOptions> = {
  summary: 'marketplace sync: last push and pull, outbox depth, offers in use',
  usage: STATUS_HELP,
  // A report: the database as the gateway left it, never migrated — pointed at the wrong one (or one
  // not made yet) it says so instead of creating tables there and reporting an empty outbox.
  readsOnly: true,
  readsTables: [OUTBOX_TABLE, STATUS_TABLE],
  async run(args, options, io: CommandIO, host: CommandHost) {
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true }));
    } catch (err) {
      write(io.stderr, `sluice: ${describeParseError(err)}\n\n${STATUS_HELP}`);
      return 2;
    }
    if (values['help']) { write(io.stdout, STATUS_HELP); return 0; }
    if (positionals[0] !== 'status') {
      write(io.stderr, `sluice: marketplace: expected the sub-command "status"${positionals[0] ? `, got "${positionals[0].slice(0, 40)}"` : ''}\n\n${STATUS_HELP}`);
      return 2;
    }
    if (positionals.length > 1) {
      write(io.stderr, `sluice: marketplace: unexpected argument "${positionals[1]!.slice(0, 40)}"\n\n${STATUS_HELP}`);
      return 2;
    }
    if (!options.url || !options.gateway_id) {
      // A problem of the config, as a plugin command's bad config is (docs/cli.md: exit 2).
      write(io.stderr, 'sluice: marketplace: the config has no marketplace plugin (- use: marketplace with url, api_key and gateway_id)');
      return 2;
    }
    const knex = await host.database();
    const status = await readStatus(knex);
    const depth = await outboxStore(async () => knex).depth();
    // Records a gateway spilled while the database was down are in no table until one starts again:
    // without them here, "0 unsent" would read as "nothing waits".
    const database = host.config.storage?.database;
    const spillDir = path.resolve(host.configDir, options.spill_dir);
    const spilled = database === undefined ? 0 : await new OutboxSpill(spillDir, spillDatabase(database, host.configDir), () => {}).count();
    let offers: OfferInUse[] = [];
    try { offers = JSON.parse(status.get('offers')?.detail ?? '[]') as OfferInUse[]; } catch { offers = []; }
    const report = {
      // Printed, not used: a password or token written into the URL stays off the terminal.
      url: maskUrl(options.url), gateway_id: options.gateway_id,
      push: entryJson(status.get('push')), pull: entryJson(status.get('pull')), publish: entryJson(status.get('publish')),
      outbox: { unsent: depth.unsent, oldest_unsent: iso(depth.oldestMs) },
      // Beside the outbox, not in it: its fields are the table's.
      spill: { records: spilled, dir: spillDir },
      offers_in_use: offers,
    };
    if (values['json']) { write(io.stdout, JSON.stringify(report, null, 2)); return 0; }
    const lines = (['push', 'pull', 'publish'] as const).map((kind) => {
      const e = status.get(kind);
      return { what: kind, last: iso(e?.timeMs) ?? 'never', result: e ? `${e.ok ? 'ok' : 'FAILED'} ${e.result}` : '', detail: e?.detail ?? '', last_ok: iso(e?.lastOkMs) ?? 'never' };
    });
    const out = [
      `marketplace ${report.url} (gateway ${options.gateway_id})`,
      '',
      table(lines, ['what', 'last', 'result', 'detail', 'last_ok']),
      '',
      `outbox: ${depth.unsent} unsent${depth.oldestMs !== undefined ? ` (oldest ${iso(depth.oldestMs)})` : ''}`
        + (spilled ? `; ${spilled} more in the spill file (${spillDir}), written to the outbox when a gateway starts` : ''),
      '',
      offers.length
        ? table(offers.map((x) => ({
          offer: x.id, provider: x.provider, seller: x.seller ?? '', protocol: x.protocol, models: x.models.join(' '),
          'usd_per_m in/out': `${x.price.input}/${x.price.output}`, expires_at: x.expires_at ?? '',
        })), ['offer', 'provider', 'seller', 'protocol', 'models', 'usd_per_m in/out', 'expires_at'])
        : 'offers in use: none',
    ];
    write(io.stdout, out.join('\n'));
    return 0;
  },
};
