// The plugin contract: the same for built-ins and third parties. Everything here is public API.
import type { IncomingHttpHeaders } from 'node:http';
import type { ZodType } from 'zod';
import type { ErrorSpec } from '../errors.js';
import type { Exchange, Principal } from '../exchange.js';
import type { ApiFamily } from '../protocols/types.js';
import type { ProviderFactory } from '../providers/registry.js';
import type { Migration } from '../storage/migrations.js';
import type { CommandHost, Host, ProviderRegistry } from './host.js';
import type { RequestRecord } from './request-record.js';

/** What a plugin's middleware receives: Sluice's own context, typed end to end. */
export interface SluiceContext {
  readonly exchange: Exchange;
}
export type Next = () => Promise<void>;
/** Request middleware: code before `await next()` runs on the way in, after it on the way out (onion). */
export type PluginMiddleware = (ctx: SluiceContext, next: Next) => Promise<void>;

/** A data-plane request as it arrives: its head only, the body not read yet. */
export interface ArrivingRequest {
  readonly id: string;
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly query: Readonly<Record<string, string>>;
  /** The TCP peer, and the client as `server.trust_proxy` resolves it. */
  readonly peerAddress: string;
  readonly clientAddress: string;
  /** The protocol family of the endpoint (the envelope a refusal is written in). */
  readonly family: ApiFamily;
}
/**
 * Who is asking, from the request's head; throws (a GatewayError) to refuse the request. A promise
 * may be any thenable (a promise library's too): core awaits whatever has a `then`.
 */
export type Authenticate = (request: ArrivingRequest) => Principal | PromiseLike<Principal>;

/** What a plugin's `reload` gets beside its new options. */
export interface ReloadContext {
  /** The providers as the reloaded config will have them (validate provider names against these). */
  providers: ProviderRegistry;
}

export interface PluginInstance<O = unknown> {
  /** Request middleware, run in chain order (onion: code after `await next()` runs on the way out). */
  middleware?: PluginMiddleware;
  /**
   * True when this plugin authenticates clients. Without one, Sluice refuses to listen beyond
   * loopback unless `server.allow_unauthenticated_remote` is set.
   */
  authenticates?: boolean;
  /**
   * Decides who is asking before the request's body is read: core calls it for every data-plane
   * request (the first plugin in the chain that has one) and puts what it returns on
   * `exchange.principal` before the chain runs. A throw refuses the request there, so an
   * unauthenticated client gets its 401 — as from the providers' own APIs — whatever its body, and
   * never has a body of up to `server.body_limit` read and parsed for it.
   */
  authenticate?: Authenticate;
  /**
   * Takes new options from a reloaded config (SIGHUP). Build and validate everything here and throw
   * if it cannot work; return the function that swaps it in. Core calls the swaps only after every
   * plugin prepared successfully, so a reload is all-or-nothing. Without it, changed options need a restart.
   * `context.providers` holds the providers as the reloaded config will have them: check provider
   * names against it (`host.providers` still serves requests with the running ones until the swap).
   * Core always passes it; it is optional so that tests may call `reload(options)` directly.
   */
  reload?(options: O, context?: ReloadContext): (() => void) | Promise<() => void>;
  /**
   * Begins background work (timers, connections, sync loops). Called once the gateway is about to
   * serve, after migrations ran; never by `sluice config validate`, which only runs `setup`.
   */
  start?(): void | Promise<void>;
  /**
   * Observes every request once it has ended — those rejected before the chain (bad JSON, 404, 413,
   * 503 while draining) included — with its outcome. Called synchronously: queue work, never block or throw.
   */
  onRequest?(record: RequestRecord): void;
  /** Called once on shutdown, after in-flight requests finished. Ends what `start` began. */
  close?(): void | Promise<void>;
}

export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A CLI sub-command a plugin contributes (`sluice <name> …`). */
export interface PluginCommand<O> {
  summary: string;
  usage: string;
  /**
   * Runs the command with the plugin's validated options and a host (database, Redis, logger,
   * config) for the config the command was given; resolves to the exit code.
   */
  run(args: string[], options: O, io: CommandIO, host: CommandHost): Promise<number>;
  /**
   * False when `run` uses nothing of the host: the CLI then opens no storage or logger for it and,
   * with no config named, does not parse the embedded default just to build one (most of a quick
   * command's start-up: `sluice scan`). Any use of the host it gets throws. Default true.
   */
  usesHost?: boolean;
  /**
   * True for a command that only reads what gateways wrote (a report): its database is used as it
   * is, no migration applied and SQLite opened read-only (a read-only role can run it, and a config
   * pointed at the wrong database is left as it was). An embedded SQLite file that does not exist
   * (it is not created), or a database without the `readsTables`, reads as an empty one in memory,
   * with a warning on stderr naming storage.database. Default false (`sluice key create` may well be
   * the first to use a database). A command whose verbs differ (`key list` reads, `key create`
   * writes) gives a function of its arguments (what follows the command name, `--config` taken out).
   */
  readsOnly?: boolean | ((args: readonly string[]) => boolean);
  /**
   * With `readsOnly`: the tables the command reads. A database where none of them exists reads as
   * the empty one (and the warning) rather than failing on the first query; without the list the
   * database is used as it is.
   */
  readsTables?: readonly string[];
  /**
   * The exit code when the command cannot start because of its config: an unreadable file, invalid
   * YAML, a bad option. Default 2, the plugin commands' error code (`sluice scan` exits 1 for "found
   * something"); a command whose 2 means something narrower (auth's: the database cannot be
   * reached) and whose 1 means "usage or validation error" sets 1.
   */
  invalidConfigExit?: number;
}

export interface PluginDefinition<O> {
  /** Unique name, e.g. "router" or "sluice-plugin-greeting". */
  name: string;
  version: string;
  /** Semver range of Sluice versions this plugin supports, e.g. "^0.1.0" or ">=0.1 <2". */
  sluice: string;
  description?: string;
  /**
   * Options schema, written with zod (`import { z } from 'sluice'`): `with:` in YAML is validated
   * against it once, at start-up, and `setup` gets its output (defaults applied). Prefer
   * `z.strictObject` so a misspelt option is an error rather than silently ignored.
   */
  options: ZodType<O>;
  /**
   * Builds the plugin from validated options: compile, validate, allocate — no side effects (no
   * connections, timers or writes), because `sluice config validate` runs it too. Background work
   * belongs in the instance's `start`.
   */
  setup?(options: O, host: Host): PluginInstance<O> | Promise<PluginInstance<O>>;
  /** Schema migrations for this plugin's tables (knex), run on start and by `sluice migrate`, SQLite and Postgres alike. */
  migrations?: Migration[];
  /** Provider types this plugin adds (`type:` in `providers:`), e.g. a company's in-house model server. */
  providerTypes?: Record<string, ProviderFactory>;
  /** Error codes this plugin raises (`SLUICE_E_…`), each with its status and class per client family. */
  errors?: Record<string, ErrorSpec>;
  /** CLI commands this plugin adds. */
  commands?: Record<string, PluginCommand<O>>;
  /** Capabilities this plugin gives the chain, e.g. "routing" (the chain must have one router); at most one plugin in a chain provides each. */
  provides?: string[];
  /** Capabilities that must be provided earlier in the chain (the translator requires "routing"). */
  requires?: string[];
  /**
   * Capabilities that must NOT be provided earlier in the chain than this plugin: the plugin has to
   * run before them (auth precedes "routing": a router earlier answers model listings and picks the
   * served model before anyone is authenticated, so allow-lists would silently not apply).
   */
  precedes?: string[];
}

const DEFINITION = Symbol.for('sluice.plugin');

/** Declares a plugin. Identity at runtime apart from a brand the loader checks. */
export function definePlugin<O>(definition: PluginDefinition<O>): PluginDefinition<O> {
  Object.defineProperty(definition, DEFINITION, { value: true });
  return definition;
}

const INSTANCE_FUNCTIONS = ['middleware', 'start', 'reload', 'onRequest', 'close'] as const;

/**
 * What `setup` returned, checked before it is used: a JavaScript plugin that forgets its `return` (or
 * returns `{ middleware: handler() }`) would otherwise crash start-up with a TypeError and a stack,
 * or answer every request with a 500.
 */
export function checkedInstance(value: unknown): PluginInstance {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`setup() must return an object such as { middleware, close } (every key optional), got ${value === null ? 'null' : typeof value}`);
  }
  for (const key of INSTANCE_FUNCTIONS) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined && typeof member !== 'function') {
      throw new Error(`setup() returned a ${key} that is not a function (got ${member === null ? 'null' : typeof member})`);
    }
  }
  return value as PluginInstance;
}

export function isPluginDefinition(value: unknown): value is PluginDefinition<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}
