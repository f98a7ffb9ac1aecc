// Where log lines go. One sink per process, shared by every logger (several gateways in one
// process — the tests — must not interleave half-lines from separate buffers on fd 1).
import { destination, transport, type DestinationStream } from 'pino';

/**
 * Lines are buffered in memory and written by sonic-boom with asynchronous fs.write calls (libuv's
 * thread pool), so a slow stdout reader never stalls the event loop. A write starts once 4 KiB are
 * pending (about ten access-log lines) or every 250 ms, whichever comes first; pino flushes what is
 * left synchronously on process exit, and `Logger.flush()` drains it on graceful shutdown.
 */
const BUFFER_BYTES = 4096;
const FLUSH_EVERY_MS = 250;

let stdout: DestinationStream | undefined;
let pretty: DestinationStream | undefined;

export function stdoutDestination(): DestinationStream {
  return (stdout ??= destination({ dest: 1, sync: false, minLength: BUFFER_BYTES, periodicFlush: FLUSH_EVERY_MS }));
}

/** pino-pretty in a worker thread (pino's transport), writing to stdout: for a person at a terminal. */
export function prettyTransport(): DestinationStream {
  return (pretty ??= transport({
    target: 'pino-pretty',
    options: { destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  }) as DestinationStream);
}
