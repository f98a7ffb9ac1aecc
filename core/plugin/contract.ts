// The plugin contract: the same for built-ins and third parties. Everything here is public API.
import type { Middleware, ParameterizedContext } from 'koa';
import type { Exchange } from '../exchange.js';
import type { ZodType } from 'zod';
import type { Host } from './host.js';

/** Koa state carried by every data-plane request. */
export interface SluiceState {
  exchange: Exchange;
}
export type SluiceContext = ParameterizedContext<SluiceState>;
/** The request middleware a plugin returns: koa middleware over the exchange. */
export type PluginMiddleware = Middleware<SluiceState>;

export interface PluginInstance<O = unknown> {
  /** Request middleware, run in chain order (onion: code after `await next()` runs on the way out). */
  middleware?: PluginMiddleware;
  /**
   * True when this plugin authenticates clients. Without one, Sluice refuses to listen beyond
   * loopback unless `server.allow_unauthenticated_remote` is set.
   */
  authenticates?: boolean;
  /**
   * Takes new options from a reloaded config (SIGHUP). Build and validate everything here and throw
   * if it cannot work; return the function that swaps it in. Core calls the swaps only after every
   * plugin prepared successfully, so a reload is all-or-nothing. Without it, changed options need a restart.
   */
  reload?(options: O): (() => void) | Promise<() => void>;
  /** Called once on shutdown, after in-flight requests finished. */
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
  /** Runs the command with the plugin's validated options; resolves to the exit code. */
  run(args: string[], options: O, io: CommandIO): Promise<number>;
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
  /** Called once at start-up with validated options. */
  setup?(options: O, host: Host): PluginInstance<O> | Promise<PluginInstance<O>>;
  /** CLI commands this plugin adds. */
  commands?: Record<string, PluginCommand<O>>;
  /** Capabilities this plugin gives the chain, e.g. "routing" (the chain must have one router). */
  provides?: string[];
  /** Capabilities that must be provided earlier in the chain (the translator requires "routing"). */
  requires?: string[];
}

const DEFINITION = Symbol.for('sluice.plugin');

/** Declares a plugin. Identity at runtime apart from a brand the loader checks. */
export function definePlugin<O>(definition: PluginDefinition<O>): PluginDefinition<O> {
  Object.defineProperty(definition, DEFINITION, { value: true });
  return definition;
}

export function isPluginDefinition(value: unknown): value is PluginDefinition<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}
