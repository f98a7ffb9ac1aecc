// The `sluice` command line. Human-readable output by default, --json for scripts, non-zero exits
// on every error. Each command imports what it needs when it runs: `sluice --help` must not pay for
// the HTTP stack, and `config validate`, `plugins` and `scan` must not pay for the server.
import { stdio, type Io } from './io.js';
import { HELP, USAGE, UsageError, type CoreCommand } from './usage.js';

export type { Io } from './io.js';

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start': return await (await import('./start.js')).start(rest, io);
      case 'init': return await (await import('./init.js')).init(rest, io);
      case 'config': return await (await import('./config-command.js')).configCommand(rest, io);
      case 'plugins': return await (await import('./plugins-command.js')).pluginsCommand(rest, io);
      case 'migrate': return await (await import('./migrate-command.js')).migrateCommand(rest, io);
      case 'help': return await help(rest[0], io);
      case '--version': case '-v': io.out((await import('../version.js')).SLUICE_VERSION); return 0;
      case '--help': case '-h': io.out(HELP); return 0;
      case undefined: throw new UsageError('no command given', HELP);
      default:
        if (command.startsWith('-')) throw new UsageError(`unknown option '${command}'`, HELP);
        return await (await import('./plugin-command.js')).pluginCommand(command, rest, io);
    }
  } catch (err) {
    return await report(err, io);
  }
}

async function help(command: string | undefined, io: Io): Promise<number> {
  if (command === undefined) { io.out(HELP); return 0; }
  if (Object.hasOwn(USAGE, command)) { io.out(USAGE[command as CoreCommand]); return 0; }
  // A plugin's command answers --help itself.
  return await main([command, '--help'], io);
}

/** One line for what the operator can fix; a stack only for what looks like a bug. */
async function report(err: unknown, io: Io): Promise<number> {
  if (err instanceof UsageError) {
    io.err(`sluice: ${err.message}\n\n${err.usage}`);
    return 1;
  }
  const [{ ConfigError }, { SchemaError }] = await Promise.all([import('../config/config-error.js'), import('../schema/schema-error.js')]);
  if (err instanceof ConfigError || err instanceof SchemaError) {
    io.err(`sluice: ${err.message}`);
    return 1;
  }
  io.err(`sluice: ${(err as Error)?.stack ?? String(err)}`);
  return 1;
}
