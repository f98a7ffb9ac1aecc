// Structured logs on pino: one JSON object per line on stdout (pretty when stdout is a terminal),
// written asynchronously so the per-request access log never blocks the event loop. Callers pass
// fields, never prompt text; credentials that slip into a field are censored by key (REDACT_PATHS).
import type { Logger as PinoLogger, LoggerOptions as PinoOptions } from 'pino';
import { pinoModule, prettyTransport, stdoutDestination } from './log-destination.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `bindings` (e.g. `{ plugin: 'router' }`). */
  child(bindings: LogFields): Logger;
  /** True when a line at `level` would be written: skip building costly fields otherwise. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  /** Resolves once every line logged so far has been handed to the OS (call before exiting). */
  flush(): Promise<void>;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receive each line (JSON + '\n') synchronously instead of stdout: tests and embedding. */
  write?: (line: string) => void;
  /** Human-readable lines (pino-pretty, in a worker thread). Default: when stdout is a terminal. */
  pretty?: boolean;
  /**
   * Its level may change later (setLogLevel, a reload of logging.level): pino is set up even when
   * it starts silent, which otherwise needs none.
   */
  adjustable?: boolean;
}

/** Header names and option keys whose values are credentials. */
const SECRET_KEYS = [
  'authorization', 'proxy-authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'api_key', 'apiKey',
  'key', 'password', 'secret', 'client_secret', 'token', 'access_token', 'refresh_token', 'cookie', 'set-cookie',
];
/** Objects that carry such keys when logged: headers, options, pino's req/res convention. */
const CONTAINERS = ['headers', 'options', 'config', 'query', 'body', 'request', 'response', 'upstream', 'req', 'res'];
const WITH_HEADERS = ['request', 'response', 'upstream', 'req', 'res', 'options'];
const prop = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`);
const dotted = (prefix: string, k: string) => { const p = prop(k); return p.startsWith('[') ? prefix + p : `${prefix}.${p}`; };
/**
 * Censored at the top level of a line and inside the usual containers (`headers.authorization`,
 * `options.api_key`, `request.headers["x-api-key"]`). Explicit paths, no wildcards: pino's
 * wildcard redaction costs ~25-60 µs a line, explicit paths ~1 µs and only on lines that have them.
 */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [
  prop(k),
  ...CONTAINERS.map((c) => dotted(c, k)),
  ...WITH_HEADERS.map((c) => dotted(`${c}.headers`, k)),
]);
export const REDACTED = '[redacted]';

/**
 * The longest error message (and stack) a line carries. knex puts a failed statement's whole SQL
 * before the driver's message: a ledger batch of 1,000 rows made a message of ~340 KB, logged twice
 * (message and stack) in one line, which log pipelines cut or drop (Docker splits lines at 16 KB,
 * Loki and CloudWatch refuse them past 256 KB) — the one line that said why writes were failing.
 */
const MAX_ERROR_TEXT = 2048;
/** Its start, and more of its end: the driver's own words ("terminating connection…") come last. */
const ERROR_TEXT_HEAD = 512;
function bounded(text: string): string {
  if (text.length <= MAX_ERROR_TEXT) return text;
  const tail = MAX_ERROR_TEXT - ERROR_TEXT_HEAD;
  return `${text.slice(0, ERROR_TEXT_HEAD)} …[${text.length - MAX_ERROR_TEXT} characters cut]… ${text.slice(-tail)}`;
}

/**
 * Errors become `{ type, message, code, stack }`: enumerable extras (a got error's request options,
 * with their headers) stay out of the log. A long message is cut in its middle (bounded), also where
 * the stack repeats it.
 */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  let { message, stack } = value;
  if (typeof message === 'string' && message.length > MAX_ERROR_TEXT) {
    const head = `${value.name}: ${message}`;
    message = bounded(message);
    if (stack?.startsWith(head)) stack = `${value.name}: ${message}${stack.slice(head.length)}`;
  }
  if (stack !== undefined && stack.length > 4 * MAX_ERROR_TEXT) stack = bounded(stack);
  return { type: value.name, message, ...(code !== undefined ? { code } : {}), stack };
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  // A silent logger needs no pino at all (pino is loaded on first use, see log-destination.ts).
  if (level === 'silent' && !opts.write && !opts.adjustable) return SILENT;
  const pino = pinoModule();
  const options: PinoOptions = {
    level,
    base: undefined, // no pid/hostname on every line; the process manager knows them
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { error: serializeError, err: serializeError },
  };
  let root: PinoLogger;
  let lineSink: ((line: string) => void) | undefined;
  if (opts.write) {
    const write = opts.write;
    lineSink = (line) => write(line);
    root = pino(options, { write: lineSink });
  } else if (opts.pretty ?? process.stdout.isTTY === true) {
    root = pino(options, prettyTransport());
  } else {
    const destination = stdoutDestination();
    lineSink = (line) => { destination.write(line); };
    root = pino(options, destination);
  }
  const family = new LoggerFamily(root);
  const logger = wrap(root, family);
  levelSetters.set(logger, (next) => family.setLevel(next));
  // JSON lines to a sink we hold: the access log may write its line itself (see logLine).
  if (lineSink) plainSinks.set(logger, { sink: lineSink, writers: lineWriters(lineSink), enabled: (level) => root.isLevelEnabled(level) });
  return logger;
}

/** Root loggers made by createLogger: how to change the level of each and of its children. */
const levelSetters = new WeakMap<Logger, (level: LogLevel) => void>();

/**
 * Sets the level of a logger made by createLogger and of every child made from it (a plugin's
 * `host.logger` and the children it makes), at once: the next line of each is written or not by
 * the new level. False, changing nothing, for any other logger (a child, a silent one not made
 * `adjustable`, a logger not made here).
 */
/** True when setLogLevel can change this logger's level. */
export function logLevelAdjustable(logger: Logger): boolean {
  return levelSetters.has(logger);
}

export function setLogLevel(logger: Logger, level: LogLevel): boolean {
  const set = levelSetters.get(logger);
  set?.(level);
  return set !== undefined;
}

/**
 * A root pino logger and its descendants. pino copies a parent's level into a child when it is
 * made and never again, so a level change is applied to each. Children are held weakly: one that
 * a plugin makes per request and drops is not kept alive for this.
 */
class LoggerFamily {
  private members: WeakRef<PinoLogger>[] = [];
  private untilSweep = 256;

  constructor(private readonly root: PinoLogger) {}

  add(child: PinoLogger): PinoLogger {
    this.members.push(new WeakRef(child));
    if (--this.untilSweep === 0) {
      this.members = this.members.filter((ref) => ref.deref() !== undefined);
      this.untilSweep = Math.max(256, this.members.length);
    }
    return child;
  }

  setLevel(level: LogLevel): void {
    this.root.level = level;
    // Children first made from children carry their own copy too: every one is set.
    for (const ref of this.members) { const member = ref.deref(); if (member) member.level = level; }
  }
}

/** Root loggers whose lines are plain JSON to a sink we hold (not pretty, no bindings). */
const plainSinks = new WeakMap<Logger, {
  sink: (line: string) => void;
  /** One writer per level, made once. */
  writers: Record<Exclude<LogLevel, 'silent'>, PlainLineWriter>;
  enabled: (level: Exclude<LogLevel, 'silent'>) => boolean;
}>();

let lastMs = 0;
let lastIso = '';
let secondMs = Number.NaN;
let secondPrefix = '';
/**
 * pino's isoTime, computed once per millisecond (several requests end in the same one under load),
 * and within a second by putting the milliseconds after the second's prefix (`…T06:43:26.`): a
 * Date and its toISOString once a second, not once a millisecond.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now === lastMs) return lastIso;
  lastMs = now;
  const ms = now % 1000;
  if (now - ms !== secondMs) {
    secondMs = now - ms;
    secondPrefix = new Date(secondMs).toISOString().slice(0, 20);
  }
  lastIso = `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  return lastIso;
}

/**
 * Writes `msg` with `fields` exactly as `logger[level](msg, fields)` would — the same JSON line,
 * keys in the same order, undefined fields left out — but serialised with one JSON.stringify
 * instead of pino's per-key walk: for the one line every request writes. Only for fields that hold
 * no credentials (no redaction is applied) and no Error values (no serialiser is applied); any
 * other logger (pretty, a child, one not made by createLogger) gets the ordinary call.
 */
export function logLine(logger: Logger, level: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields): void {
  const plain = plainSinks.get(logger);
  if (!plain) { logger[level](msg, fields); return; }
  if (!plain.enabled(level)) return;
  const json = JSON.stringify(fields);
  plain.sink(`{"level":"${level}","time":"${isoNow()}",${json.length > 2 ? `${json.slice(1, -1)},` : ''}"msg":${JSON.stringify(msg)}}\n`);
}

/**
 * For the one line every request writes, when its members are cheaper to write by hand than to
 * collect in an object for JSON.stringify: a writer taking them already serialised (`"a":1,"b":"x"`,
 * no braces, non-empty), making the same line as logLine. Undefined when `logger` is not a plain
 * root logger or `level` is off: use logLine (or nothing) then.
 */
export function plainLineWriter(logger: Logger, level: Exclude<LogLevel, 'silent'>): PlainLineWriter | undefined {
  const plain = plainSinks.get(logger);
  return plain && plain.enabled(level) ? plain.writers[level] : undefined;
}
export type PlainLineWriter = (msg: string, members: string) => void;

function lineWriters(sink: (line: string) => void): Record<Exclude<LogLevel, 'silent'>, PlainLineWriter> {
  // The message is nearly always the same ('request'): serialised once, not once per line.
  let lastMsg = '';
  let lastMsgJson = '""';
  const msgJson = (msg: string) => (msg === lastMsg ? lastMsgJson : (lastMsgJson = JSON.stringify((lastMsg = msg))));
  const at = (level: string): PlainLineWriter => (msg, members) => sink(`{"level":"${level}","time":"${isoNow()}",${members},"msg":${msgJson(msg)}}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A logger made on its first use: for CLI commands, which get a host logger that most never write
 * to, so that pino is not loaded (some 30 modules) unless a line is logged.
 */
export function lazyLogger(make: () => Logger): Logger {
  let real: Logger | undefined;
  const get = () => (real ??= make());
  return {
    debug: (msg, fields) => get().debug(msg, fields),
    info: (msg, fields) => get().info(msg, fields),
    warn: (msg, fields) => get().warn(msg, fields),
    error: (msg, fields) => get().error(msg, fields),
    child: (bindings) => lazyLogger(() => get().child(bindings)),
    enabled: (level) => get().enabled(level),
    flush: () => (real ? real.flush() : Promise.resolve()),
  };
}

const noop = () => { /* silent */ };
const SILENT: Logger = {
  debug: noop, info: noop, warn: noop, error: noop,
  child: () => SILENT,
  enabled: () => false,
  flush: () => Promise.resolve(),
};

function wrap(p: PinoLogger, family: LoggerFamily): Logger {
  // pino takes (fields, msg); ours is (msg, fields), the order the call sites read best in.
  return {
    debug: (msg, fields) => { if (fields === undefined) p.debug(msg); else p.debug(fields, msg); },
    info: (msg, fields) => { if (fields === undefined) p.info(msg); else p.info(fields, msg); },
    warn: (msg, fields) => { if (fields === undefined) p.warn(msg); else p.warn(fields, msg); },
    error: (msg, fields) => { if (fields === undefined) p.error(msg); else p.error(fields, msg); },
    child: (bindings) => wrap(family.add(p.child(bindings)), family),
    enabled: (level) => p.isLevelEnabled(level),
    flush: () => new Promise<void>((resolve) => {
      // A flush that cannot finish (stdout gone) must not hold up shutdown.
      const timer = setTimeout(resolve, 2000);
      timer.unref();
      try {
        p.flush(() => { clearTimeout(timer); resolve(); });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    }),
  };
}
