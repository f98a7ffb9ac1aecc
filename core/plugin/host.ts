// What the gateway hands a plugin at setup: the only services a plugin may use.
import type { Middleware } from 'koa';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Got } from 'got';
import type { Provider } from '../providers/provider.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

export interface ProviderRegistry {
  get(name: string): Provider | undefined;
  names(): string[];
  all(): Provider[];
}

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Host {
  /** Sluice version running this plugin. */
  readonly version: string;
  /** Directory of the config file (relative paths in options resolve against it). */
  readonly configDir: string;
  /** A child logger tagged with the plugin name. Never log prompt text, keys or detected values. */
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly providers: ProviderRegistry;
  /** The SQL database (SQLite or PostgreSQL), opened on first use. */
  database(): Promise<Knex>;
  /** Redis, or undefined when `storage.redis` is not configured. */
  redis(): Redis | undefined;
  /** HTTP client for control-plane calls (retries, JSON); not for the request hot path. */
  readonly http: Got;
  /** Mounts a route under /admin (protected by the admin key). */
  addAdminRoute(method: AdminMethod, path: string, handler: Middleware): void;
  /** Registers a readiness check shown by GET /ready. */
  addReadinessCheck(name: string, check: () => Promise<void>): void;
}
