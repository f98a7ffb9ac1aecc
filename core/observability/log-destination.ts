// Where log lines go. One sink per process, shared by every logger (several gateways in one
// process — the tests — must not interleave half-lines from separate buffers on fd 1).
import { fstatSync } from 'node:fs';
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
 * Lines are collected in memory and handed on in chunks of about 64 KiB (some 180 access-log
 * lines), or every 250 ms, whichever comes first. sonic-boom writes each chunk to a pipe or terminal
 * with an asynchronous fs.write (libuv's thread pool), so a slow stdout reader never stalls the
 * event loop; to a regular file, at once (see stdoutIsFile). What is left
 * is written synchronously on process exit, and `Logger.flush()` drains it on graceful shutdown.
 * If stdout stops taking data altogether, chunks beyond 16 MiB pending are dropped rather than
 * growing the heap without bound.
 *
 * Why so large: each fs.write hands the chunk to a thread-pool thread, and that hand-off (a thread
 * wake-up and the context switches around the write) costs some 30–40 µs of CPU on a small VM,
 * whatever the size. At 4 KiB chunks it was ~20 µs per request at 5k requests/s; at 64 KiB it is
 * under 1 µs, and the lines are at most 250 ms late either way.
 */
const CHUNK_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 250;
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/**
 * Batches lines before sonic-boom sees them. sonic-boom's own buffering (`minLength`) appends each
 * line to one growing string and measures that string's byte length on every write, which copies
 * the whole pending buffer per line: ~4 µs and ~5 KB of garbage per access-log line at 4 KiB.
 * Here a line costs an array push; the chunk is joined once.
 */
/** What LineBatcher needs of sonic-boom (pino's destination), the one pino.destination() returns. */
export interface ChunkSink {
  write(chunk: string): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private pending = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sink: ChunkSink, private readonly chunkBytes = CHUNK_BYTES, everyMs = FLUSH_EVERY_MS) {
    this.timer = setInterval(() => this.pass(), everyMs);
    this.timer.unref();
    // Before pino's own exit hook flushes sonic-boom, and again in case that one ran first.
    process.on('exit', () => {
      this.pass();
      try { this.sink.flushSync(); } catch { /* stdout gone: nothing more can be written */ }
    });
  }

  write(line: string): boolean {
    this.lines.push(line);
    // UTF-16 length, not bytes: a threshold only, and log lines are mostly ASCII.
    this.pending += line.length;
    if (this.pending >= this.chunkBytes) this.pass();
    return true;
  }

  /** Hands what is collected to sonic-boom, which writes it at once unless a write is in flight. */
  private pass(): void {
    if (this.pending === 0) return;
    const chunk = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.pending = 0;
    this.sink.write(chunk);
  }

  /** pino's `logger.flush(cb)`: everything so far handed to the OS, then `cb`. */
  flush(cb?: (err?: Error) => void): void {
    this.pass();
    this.sink.flush(cb);
  }

  flushSync(): void {
    this.pass();
    this.sink.flushSync();
  }
}

let stdout: DestinationStream | undefined;
let pretty: DestinationStream | undefined;

/**
 * stdout is a regular file (`sluice start > sluice.log`). A write there only copies into the page
 * cache and returns, so it is made on the event loop: handing a 64 KiB chunk to the thread pool
 * (a thread wake-up and the context switches around it) costs more CPU than the write itself. A
 * pipe or a terminal can stall a writer for as long as its reader likes: those stay asynchronous.
 */
function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

export function stdoutDestination(): DestinationStream {
  if (!stdout) {
    // minLength 1: sonic-boom writes each chunk as it comes (the batching is done above) and still
    // waits for the write in flight on flush().
    const sink = pinoModule().destination({ dest: 1, sync: stdoutIsFile(), minLength: 1, maxLength: MAX_PENDING_BYTES }) as unknown as ChunkSink;
    stdout = new LineBatcher(sink);
  }
  return stdout;
}

/** pino-pretty in a worker thread (pino's transport), writing to stdout: for a person at a terminal. */
export function prettyTransport(): DestinationStream {
  return (pretty ??= pinoModule().transport({
    target: 'pino-pretty',
    options: { destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  }) as DestinationStream);
}
