// Where log lines go. One sink per process, shared by every logger (several gateways in one
// process — the tests — must not interleave half-lines from separate buffers on fd 1).
import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';

type Pino = typeof import('pino');
let loaded: Pino | undefined;
/**
 * pino itself, required on first use: a command that writes no log (`sluice config validate`,
 * `--help`) does not pay for loading it.
 */
export function pinoModule(): Pino {
  return (loaded ??= createRequire(import.meta.url)('pino') as Pino);
}

/**
 * Lines are buffered in memory and written by sonic-boom with asynchronous fs.write calls (libuv's
 * thread pool), so a slow stdout reader never stalls the event loop. A write starts once 4 KiB are
 * pending (about ten access-log lines) or every 250 ms, whichever comes first; pino flushes what is
 * left synchronously on process exit, and `Logger.flush()` drains it on graceful shutdown.
 * If stdout stops taking data altogether, lines beyond 16 MiB pending are dropped rather than
 * growing the heap without bound.
 */
const BUFFER_BYTES = 4096;
const FLUSH_EVERY_MS = 250;
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

let stdout: DestinationStream | undefined;
let pretty: DestinationStream | undefined;

export function stdoutDestination(): DestinationStream {
  return (stdout ??= pinoModule().destination({ dest: 1, sync: false, minLength: BUFFER_BYTES, maxLength: MAX_PENDING_BYTES, periodicFlush: FLUSH_EVERY_MS }));
}

/** pino-pretty in a worker thread (pino's transport), writing to stdout: for a person at a terminal. */
export function prettyTransport(): DestinationStream {
  return (pretty ??= pinoModule().transport({
    target: 'pino-pretty',
    options: { destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  }) as DestinationStream);
}
