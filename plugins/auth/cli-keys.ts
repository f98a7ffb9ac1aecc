// `sluice key create|list|revoke` (and `show`). The key is printed once, at creation: alone on
// stdout (so `KEY=$(sluice key create …)` captures just it), with a note on stderr; with --json,
// one object {"id", "key", "user", …}. Listings never show it.
import type { CommandHost, CommandIO } from '../../core/index.js';
import { dateOnly, EXIT_OK, parseVerbArgs, requirePositional, runCli, UsageError } from './cli-support.js';
import { keyCreate, parseInput } from './inputs.js';
import type { AuthOptions } from './options.js';
import type { KeyView } from './views.js';

export const KEY_USAGE = `usage:
  sluice key create --user NAME [--team T] [--models GLOB,…] [--expires 30d|DATE] [--rpm N] [--tpm N]
                    [--budget-daily USD] [--budget-monthly USD] [--name LABEL] [--kind user|service|marketplace] [--json]
  sluice key list [--user NAME] [--json]      never shows the keys themselves
  sluice key show ID [--json]
  sluice key revoke ID [--json]               fails at once on every instance
options: --config FILE (the gateway's config: its database and Redis)`;

const FLAGS: Record<string, string> = {
  user: '--user', team: '--team', models: '--models', expires: '--expires', rpm: '--rpm', tpm: '--tpm',
  budget_daily_usd: '--budget-daily', budget_monthly_usd: '--budget-monthly', name: '--name', kind: '--kind',
};
const flagName = (param: string) => FLAGS[param.replace(/\[\d+\]$/, '')] ?? param;

/**
 * A limit as typed, in plain decimal digits. The schema alone would take whatever Number() reads
 * (it accepts YAML's `${ENV}` strings so): `--rpm 0x10` became 16, `1e3` 1000, `" 5"` 5 — a limit
 * other than the one written, made without a word. The range is the schema's, checked after.
 */
function decimalFlag(value: string | undefined, flag: string, fraction: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (fraction ? /^[0-9]+(\.[0-9]+)?$/.test(value) : /^[0-9]+$/.test(value)) return Number(value);
  throw new UsageError(fraction
    ? `${flag}: expected an amount in USD above 0 and at most 1000000000, got ${JSON.stringify(value)} (plain decimal digits, such as 5 or 12.50)`
    : `${flag}: expected an integer from 1 to 1000000000, got ${JSON.stringify(value)} (plain decimal digits, such as 600)`);
}

const keyRow = (k: KeyView) => ({
  id: k.id, name: k.name ?? '-', user: k.user, team: k.team ?? '-', kind: k.kind,
  models: k.models?.join(',') ?? '*', expires: dateOnly(k.expires_at), status: k.status, created: dateOnly(k.created_at),
});
const KEY_COLUMNS = ['id', 'name', 'user', 'team', 'kind', 'models', 'expires', 'status', 'created'];
// One key shown on its own also says what it may spend (`list` stays narrow enough for a terminal).
const limitText = (v: number | null) => (v === null ? '-' : String(v));
const keyDetailRow = (k: KeyView) => ({
  ...keyRow(k), rpm: limitText(k.rpm), tpm: limitText(k.tpm), budget_daily_usd: limitText(k.budget_daily_usd), budget_monthly_usd: limitText(k.budget_monthly_usd),
});
const KEY_DETAIL_COLUMNS = [...KEY_COLUMNS, 'rpm', 'tpm', 'budget_daily_usd', 'budget_monthly_usd'];

/**
 * Whether a gateway started with this config checks keys: auth in its chain, in mode api_key. The
 * commands run on the built-in's defaults when the chain has no auth (the embedded default has
 * none), so a key made there is stored — and the gateway serves anyone without it.
 */
function gatewayChecksKeys(host: CommandHost, options: AuthOptions): boolean {
  return options.mode === 'api_key' && host.config.chain.some((entry) => entry.use === 'auth');
}

const UNCHECKED_KEYS = 'sluice key: warning: this config\'s chain has no `use: auth` in mode api_key, so a gateway started with it does not check keys: '
  + 'this key protects nothing until auth is first in the chain (docs/auth.md).';

export function runKeyCommand(args: string[], options: AuthOptions, io: CommandIO, host: CommandHost): Promise<number> {
  return runCli('key', KEY_USAGE, io, host, options, async (ctx) => {
    const [verb, ...flags] = args;
    switch (verb) {
      case 'create': {
        const { values } = parseVerbArgs(flags, {
          user: { type: 'string' }, team: { type: 'string' }, models: { type: 'string' }, expires: { type: 'string' },
          rpm: { type: 'string' }, tpm: { type: 'string' }, 'budget-daily': { type: 'string' }, 'budget-monthly': { type: 'string' },
          name: { type: 'string' }, kind: { type: 'string' },
        }, 0);
        if (values.help) return (await ctx.out(KEY_USAGE), EXIT_OK);
        if (values.user === undefined) throw new UsageError('--user NAME is required');
        const input = parseInput(keyCreate, {
          user: values.user, team: values.team, name: values.name, kind: values.kind, expires: values.expires,
          models: values.models === undefined ? undefined : values.models.split(',').map((m) => m.trim()).filter((m) => m !== ''),
          rpm: decimalFlag(values.rpm, '--rpm', false), tpm: decimalFlag(values.tpm, '--tpm', false),
          budget_daily_usd: decimalFlag(values['budget-daily'], '--budget-daily', true),
          budget_monthly_usd: decimalFlag(values['budget-monthly'], '--budget-monthly', true),
        }, flagName);
        const { key, id, user, ...view } = await ctx.service.createKey(input);
        if (values.json) {
          await ctx.json({ id, key, user, ...view });
        } else {
          await ctx.out(key);
          await ctx.note(`created key ${id} for ${user}${view.team ? ` (team ${view.team})` : ''}${view.expires_at ? `, expires ${dateOnly(view.expires_at)} UTC` : ''}.\nStore it now: Sluice keeps only its hash and cannot show it again.`);
        }
        if (view.status === 'user_disabled') await ctx.note(`sluice key: warning: user ${user} is disabled: the key is refused until \`sluice user enable ${user}\`.`);
        if (view.status === 'team_disabled') await ctx.note(`sluice key: warning: team ${view.team} is disabled: the key is refused until \`sluice team enable ${view.team}\`.`);
        if (!gatewayChecksKeys(host, options)) await ctx.note(UNCHECKED_KEYS);
        return EXIT_OK;
      }
      case 'list': {
        const { values } = parseVerbArgs(flags, { user: { type: 'string' } }, 0);
        if (values.help) return (await ctx.out(KEY_USAGE), EXIT_OK);
        const keys = await ctx.service.listKeys(values.user === undefined ? {} : { user: values.user });
        if (values.json) await ctx.json(keys);
        else await ctx.table(keys.map(keyRow), KEY_COLUMNS);
        return EXIT_OK;
      }
      case 'show': case 'revoke': {
        const { values, positionals } = parseVerbArgs(flags, {}, 1);
        if (values.help) return (await ctx.out(KEY_USAGE), EXIT_OK);
        const id = requirePositional(positionals, 0, 'ID');
        const key = verb === 'revoke' ? await ctx.service.revokeKey(id) : await ctx.service.getKey(id);
        if (values.json) await ctx.json(key);
        else if (verb === 'revoke') await ctx.out(`revoked key ${key.id} (${key.user}) at ${dateOnly(key.revoked_at)} UTC`);
        else await ctx.table([keyDetailRow(key)], KEY_DETAIL_COLUMNS);
        return EXIT_OK;
      }
      case '--help': case '-h': case 'help':
        await ctx.out(KEY_USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(verb === undefined ? 'missing a verb (create, list, show, revoke)' : `unknown verb "${verb}"`);
    }
  });
}
