// Help texts and argument parsing shared by the core commands. Kept free of imports beyond node:util
// so that `sluice --help` and a mistyped flag cost nothing but Node's own start-up.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SLUICE_VERSION } from '../version.js';
import { describeParseError } from './parse-error.js';

const CONFIG_DEFAULT = '$SLUICE_CONFIG, else ./sluice.yaml, else the embedded default';

export const HELP = `sluice ${SLUICE_VERSION} — LLM API gateway

Usage:
  sluice start [--config FILE] [--port N] [--host H]   start the gateway
  sluice init [DIR] [--force]                          write a commented starter sluice.yaml
  sluice config validate [FILE] [--json]               check a config file without starting
  sluice config schema [--config FILE]                 print the config's JSON Schema (for editors)
  sluice plugins [--config FILE] [--json]              show the resolved chain
  sluice migrate [--status] [--config FILE] [--json]   apply (or list) the chain's database migrations
  sluice prices [MODEL…] [--config FILE] [--json]      the price table, or the price each MODEL gets
  sluice scan [FILE|-] [--json] [--config FILE]        run the firewall detectors over text
  sluice user add|list|disable|enable …                users (auth plugin; --config FILE)
  sluice team add|list|disable|enable …                teams
  sluice key create|list|show|revoke …                 API keys, shown once at creation
  sluice usage [--since 7d] [--until …] [--by KEY] …   tokens, cost and latency from the ledger
  sluice audit [--since 30d] [--until …] …             providers by day: latency, errors, drift
  sluice marketplace status [--json]                   marketplace sync: last push/pull, outbox, offers
  sluice help [COMMAND]                                help on one command (or: COMMAND --help)
  sluice --version

Config file: --config FILE, else ${CONFIG_DEFAULT}
(offline loopback model, no keys; its data goes under $SLUICE_HOME, default ~/.sluice).`;

const CONFIG_OPTION = `  -c, --config FILE   the config file; default: $SLUICE_CONFIG, else ./sluice.yaml,
                      else the embedded default`;

export const USAGE = {
  start: `Usage: sluice start [--config FILE] [--port N] [--host H]

Start the gateway and serve until SIGTERM or SIGINT; SIGHUP reloads plugin options and providers
(so does a change to the file, with server.watch_config: true).

Options:
${CONFIG_OPTION}
  -p, --port N        listen on this port instead of server.port (0 picks a free one)
      --host H        listen on this address instead of server.host
                      (neither applies with server.listeners: each listener names its own)
  -h, --help          show this help`,
  init: `Usage: sluice init [DIR] [--force]

Write a commented starter config, DIR/sluice.yaml (DIR defaults to the current directory). It
serves the offline loopback model until you add providers; \`sluice start\` in DIR picks it up.

Options:
  -f, --force         overwrite an existing sluice.yaml
  -h, --help          show this help`,
  config: `Usage: sluice config validate [FILE] [--json]
       sluice config schema [--config FILE]

\`validate\` checks a config file as start-up would (YAML, \${ENV} values, options, plugin versions, chain order,
plugin set-up) without listening. Exit 0 when valid, 1 otherwise, with file:line:column.

Options:
  -c, --config FILE   the same as FILE; default: $SLUICE_CONFIG, else ./sluice.yaml,
                      else the embedded default
      --json          print the result as one JSON object (validate)
  -h, --help          show this help

\`schema\` prints the draft-07 JSON Schema of a whole sluice.yaml, with the options of the built-in
plugins and of the plugins the config's chain uses (the config chosen as above).`,
  plugins: `Usage: sluice plugins [--config FILE] [--json]

List the chain the config resolves to: position, name, version, source and supported Sluice range.

Options:
${CONFIG_OPTION}
      --json          print the rows as JSON
  -h, --help          show this help`,
  prices: `Usage: sluice prices [MODEL…] [--config FILE] [--json]

The prices (USD per million tokens) the ledger's costs and the ratelimit plugin's budgets use: the
config's pricing: entries, then the list Sluice ships (dated), then each provider's own prices.
With MODEL names, the entry that prices each one (exact names before globs, the config before the
shipped list), or 'unpriced' (its rows cost null; rows the loopback provider served cost 0).
Each class shows what is charged: a cache class without a price is at the input price (one-hour
cache writes at 2 ×), reasoning at the output price.

Options:
${CONFIG_OPTION}
      --json          print { shipped_as_of, prices: [...] }
  -h, --help          show this help`,
  migrate: `Usage: sluice migrate [--status] [--config FILE] [--json]

Apply every pending migration of the chain's plugins to the config's database (SQLite or
PostgreSQL); \`sluice start\` does the same before it serves. With --status, only list them.
Exit 0 on success, 1 for a usage or config error, 2 when the database cannot be reached.

Options:
${CONFIG_OPTION}
      --status        list each migration and whether it is applied; change nothing
      --json          print the result as JSON
  -h, --help          show this help`,
} as const;

export type CoreCommand = keyof typeof USAGE;

/**
 * The command names main() answers itself. A plugin command with one of them could never run (core
 * dispatches first), so the plugin loader refuses it (core/plugin/command-names.ts).
 */
export const CORE_COMMANDS: readonly string[] = [...Object.keys(USAGE), 'help'];

/** A mistake in the command line: reported as one line plus the command's usage, exit 1. */
export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** Strict parsing with `-h/--help` on every command; unknown flags and stray arguments are UsageErrors. */
export function parseCommand(args: string[], usage: string, options: Options, maxPositionals = 0): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err), usage);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values['help'] === true;
  if (!help && parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`, usage);
  }
  return { values, positionals: parsed.positionals, help };
}

export function stringValue(values: ParsedCommand['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
