// What the gateway hands a plugin at setup: the only services a plugin may use.
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Got } from 'got';
import type { ProviderRegistry } from '../providers/registry.js';
import type { SluiceConfig } from '../config/schema.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { GatewayEvents } from '../events/event-bus.js';
import type { z } from '../vendor/zod.js';

export type { ProviderRegistry } from '../providers/registry.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request to an admin route (already authenticated with the admin key). */
export interface AdminRequest {
  readonly method: AdminMethod;
  readonly path: string;
  /** `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON body (undefined for GET and empty bodies). */
  readonly body: unknown;
  /**
   * Aborted when the client goes away before the answer is sent (a dashboard's timeout): a long
   * handler stops its work rather than finish it for no one.
   */
  readonly signal: AbortSignal;
}

export interface AdminResponse {
  /** Defaults to 200. */
  status?: number;
  /** Sent as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers an admin request; throw a GatewayError for a coded JSON error (400 naming the field, 404, …). */
export type AdminHandler = (request: AdminRequest) => AdminResponse | Promise<AdminResponse>;

/**
 * What GET /admin/openapi.json says of an admin route. The schemas are the ones the route validates
 * its body with and answers in, so the document cannot drift from the route.
 */
export interface AdminRouteDoc {
  summary: string;
  /** Groups the route in the document (`keys`, `usage`); default: the plugin's name. */
  tag?: string;
  /** Query parameters the route takes (each optional), name → what it does. */
  query?: Readonly<Record<string, string>>;
  /** The JSON body it reads. */
  body?: z.ZodType;
  /** Its success status (default 200) and the body it answers with. */
  status?: number;
  response?: z.ZodType;
  /** Error statuses it answers beyond 400 (bad input) and 401 (no admin key), with when. */
  errors?: Readonly<Record<number, string>>;
}

/** What CLI commands get: the config's storage and settings, without a running gateway. */
export interface CommandHost {
  /** Sluice version running this plugin. */
  readonly version: string;
  /** Directory of the config file (relative paths in options resolve against it). */
  readonly configDir: string;
  /** The whole validated config (read-only). */
  readonly config: Readonly<SluiceConfig>;
  /** A child logger tagged with the plugin name. Never log prompt text, keys or detected values. */
  readonly logger: Logger;
  /** The SQL database (SQLite or PostgreSQL), opened on first use, with every plugin's migrations applied. */
  database(): Promise<Knex>;
  /** Redis, or undefined when `storage.redis` is not configured. */
  redis(): Redis | undefined;
  /** Prices per model and token class (`pricing:` in config over the shipped defaults). */
  readonly pricing: PriceTable;
}

export interface ReadinessOptions {
  /**
   * Whether this instance cannot serve while the check fails (default true). False, or a function
   * answering false (read at each probe, so a reload that changes the plugin's options counts), for
   * a dependency the plugin copes without: a load balancer that took every instance out over a
   * shared dependency they can all do without would turn a degraded gateway into an outage.
   */
  required?: boolean | (() => boolean);
}

/** What the gateway hands a plugin at setup: the only services a plugin may use. */
export interface Host extends CommandHost {
  readonly metrics: Metrics;
  /** Providers by name; plugins may add and remove them while running. */
  readonly providers: ProviderRegistry;
  /** HTTP client for control-plane calls (retries, JSON); not for the request hot path. */
  readonly http: Got;
  /**
   * Mounts a route under /admin (protected by the admin key), e.g. `addAdminRoute('GET', '/keys/:id', h)`;
   * `doc` describes it in GET /admin/openapi.json (a route without one is listed there undescribed).
   */
  addAdminRoute(method: AdminMethod, path: string, handler: AdminHandler, doc?: AdminRouteDoc): void;
  /**
   * Registers a readiness check shown by GET /ready (as `plugin:name`). A failing check makes the
   * instance unready (503) unless `required` says this instance can serve without it: then the
   * failure is reported as degraded and /ready stays 200.
   */
  addReadinessCheck(name: string, check: () => Promise<void>, options?: ReadinessOptions): void;
  /** True when `address` is one of `server.trust_proxy`'s proxies (identity headers are believed only from these). */
  isTrustedProxy(address: string): boolean;
  /**
   * Gateway events shared by every plugin of this gateway: emit what operators should hear about
   * (budget thresholds), subscribe to deliver them (auth's lifecycle hooks send them on).
   */
  readonly events: GatewayEvents;
}
