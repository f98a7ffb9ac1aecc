// What `sluice user|team|key` share: the service wired to the command's host, output (tables or
// --json) and exit codes — 0 success, 1 usage or validation error, 2 database unreachable.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isGatewayError, table, type CommandHost, type CommandIO } from '../../core/index.js';
import { publishChanges } from './change-feed.js';
import { createHookDispatcher } from './hooks.js';
import { IdentityNotFound, IdentityService } from './identity-service.js';
import type { AuthOptions } from './options.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_UNREACHABLE = 2;
const CLI_HOOK_DRAIN_MS = 15_000;

/** A wrong command line: printed with the usage, exit 1. */
export class UsageError extends Error {}

/** Error codes of a database that cannot be reached (network, server starting or stopping, login, missing file). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  '57P01', '57P02', '57P03', '3D000', '28P01', '28000', '08001', '08006',
  'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_NOTADB', 'SQLITE_READONLY',
]);

export function isUnreachable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  if (Array.isArray(e.errors) && e.errors.some(isUnreachable)) return true;
  return e.cause !== undefined && e.cause !== err && isUnreachable(e.cause);
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => { if (stream.write(text)) resolve(); else stream.once('drain', () => resolve()); });
}

export interface CliContext {
  service: IdentityService;
  io: CommandIO;
  out(text: string): Promise<void>;
  /** Notes for a person (stderr), so stdout stays what a script wants. */
  note(text: string): Promise<void>;
  json(value: unknown): Promise<void>;
  table(rows: Record<string, unknown>[], columns: string[]): Promise<void>;
}

/** Runs one `sluice <command> <verb>` with the service and error handling every verb shares. */
export async function runCli(
  command: string,
  usage: string,
  io: CommandIO,
  host: CommandHost,
  options: AuthOptions,
  body: (ctx: CliContext) => Promise<number>,
): Promise<number> {
  const hooks = createHookDispatcher(options.hooks, host.logger);
  const service = new IdentityService({
    database: () => host.database(),
    hooks,
    announce: (changes) => publishChanges(host.redis(), changes, host.logger),
  });
  const ctx: CliContext = {
    service, io,
    out: (text) => write(io.stdout, text.endsWith('\n') ? text : text + '\n'),
    note: (text) => write(io.stderr, text.endsWith('\n') ? text : text + '\n'),
    json: (value) => write(io.stdout, JSON.stringify(value, null, 2) + '\n'),
    table: (rows, columns) => write(io.stdout, (rows.length ? table(rows, columns) : '(none)') + '\n'),
  };
  try {
    return await body(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      await ctx.note(`sluice ${command}: ${err.message}\n\n${usage}`);
      return EXIT_USAGE;
    }
    if (isGatewayError(err) && err.status < 500) {
      await ctx.note(`sluice ${command}: ${err.message}${err instanceof IdentityNotFound ? `: ${howToFind(err)}` : ''}`);
      return EXIT_USAGE;
    }
    if (isUnreachable(err)) {
      const code = (err as { code?: string }).code;
      await ctx.note(`sluice ${command}: the database cannot be reached${code ? ` (${code})` : ''}: ${(err as Error).message}`);
      return EXIT_UNREACHABLE;
    }
    await ctx.note(`sluice ${command}: ${(err as Error)?.message ?? String(err)}`);
    return EXIT_USAGE;
  } finally {
    // Hooks of what we just did go out before the process ends (a webhook that is down costs at
    // most this long; its events are logged as abandoned).
    await hooks.drain(CLI_HOOK_DRAIN_MS);
  }
}

/** The command that makes (or lists) what was not found: the message alone leaves the user guessing. */
function howToFind(err: IdentityNotFound): string {
  if (err.what === 'key') return '`sluice key list` lists the keys\' ids';
  return `\`sluice ${err.what} add ${err.missing}\` creates it (\`sluice ${err.what} list\` lists the ${err.what}s)`;
}

/** parseArgs with usage errors instead of exceptions naming internals. */
type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends FlagOptions> = ReturnType<typeof parseArgs<{ options: T & { json: { type: 'boolean' }; help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true; tokens: true }>>;

export function parseVerbArgs<T extends FlagOptions>(args: string[], options: T, positionals: number): Parsed<T> {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' as const }, help: { type: 'boolean' as const, short: 'h' as const } }, allowPositionals: true as const, strict: true as const, tokens: true as const });
  } catch (err) {
    const message = (err as Error).message;
    // Node's advice on positionals that start with '-' is noise for a misspelt flag.
    throw new UsageError(message.startsWith('Unknown option') ? message.replace(/\. To specify.*$/s, '') : message);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  // parseArgs keeps the last of a repeated flag: `--user alice --user bob` would make bob's key
  // without a word. A mistake to name, as `sluice usage` names `--since` given twice.
  const seen = new Set<string>();
  for (const tok of parsed.tokens) {
    if (tok.kind !== 'option') continue;
    if (seen.has(tok.name)) throw new UsageError(`--${tok.name}: given more than once`);
    seen.add(tok.name);
  }
  return parsed;
}

export function requirePositional(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

export const dateOnly = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));
