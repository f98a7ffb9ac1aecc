// The `sluice` command line. Human-readable output by default, --json for scripts, non-zero exits
// on every error. Each command imports what it needs when it runs: `sluice --help` must not pay for
// the HTTP stack, and `config validate`, `plugins` and `scan` must not pay for the server.
import { importOwn } from '../import-own.js';
import { stdio, type Io } from './io.js';
import { HELP, USAGE, UsageError, type CoreCommand } from './usage.js';

export type { Io } from './io.js';

/** A command's module (synchronously where Node can: see import-own.ts). */
const load = <T>(path: string): Promise<T> => importOwn<T>(new URL(path, import.meta.url));

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start': return await (await load<typeof import('./start.js')>('./start.js')).start(rest, io);
      case 'init': return await (await load<typeof import('./init.js')>('./init.js')).init(rest, io);
      case 'config': return await (await load<typeof import('./config-command.js')>('./config-command.js')).configCommand(rest, io);
      case 'plugins': return await (await load<typeof import('./plugins-command.js')>('./plugins-command.js')).pluginsCommand(rest, io);
      case 'prices': return await (await load<typeof import('./prices-command.js')>('./prices-command.js')).pricesCommand(rest, io);
      case 'migrate': return await (await load<typeof import('./migrate-command.js')>('./migrate-command.js')).migrateCommand(rest, io);
      case 'help': return await help(rest[0], io);
      case '--version': case '-v': io.out((await import('../version.js')).SLUICE_VERSION); return 0;
      case '--help': case '-h': io.out(HELP); return 0;
      case undefined: throw new UsageError('no command given', HELP);
      default:
        if (command.startsWith('-')) throw new UsageError(`unknown option '${command}'`, HELP);
        return await (await load<typeof import('./plugin-command.js')>('./plugin-command.js')).pluginCommand(command, rest, io);
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
  // A system call refused on a path the operator named (ENOENT, EACCES, ENOTDIR…): its message says which.
  const sys = err as NodeJS.ErrnoException | null;
  if (typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
    io.err(`sluice: ${sys.message}`);
    return 1;
  }
  io.err(`sluice: ${(err as Error)?.stack ?? String(err)}`);
  return 1;
}
