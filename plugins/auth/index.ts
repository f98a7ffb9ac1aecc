// The auth plugin: who is asking. `api_key` (keys issued by Sluice), `proxy_header` (identity from
// a trusted reverse proxy) or `none`; the users, teams and keys behind them in the database, an
// admin API and CLI to manage them, and lifecycle hooks. First in the chain.
import { compileCidrs, definePlugin, type PluginInstance } from '../../core/index.js';
import { registerAdminApi } from './admin-api.js';
import { ChangeFeed, publishChanges } from './change-feed.js';
import { KEY_USAGE, runKeyCommand } from './cli-keys.js';
import { EXIT_USAGE } from './cli-support.js';
import { runTeamCommand, runUserCommand, TEAM_USAGE, USER_USAGE } from './cli-users.js';
import { createHookDispatcher } from './hooks.js';
import { IdentityService } from './identity-service.js';
import { findKey, findTeam, findUser, type Changes } from './identity-store.js';
import { KeyVerifier } from './key-verifier.js';
import { anonymous, apiKeyAuthenticator, proxyHeaderAuthenticator } from './middleware.js';
import { KEYS, migrations, TEAMS, USERS } from './migrations.js';
import { authOptions, type AuthOptions } from './options.js';
import { ProxyHeaderAuthenticator } from './proxy-header.js';

const VERSION = '0.1.0';
/** The verbs of `sluice user|team|key` that change nothing. */
const listing = (args: readonly string[]): boolean => args[0] === 'list' || args[0] === 'show';
const IDENTITY_TABLES = [TEAMS, USERS, KEYS] as const;
/** How long shutdown waits for lifecycle hooks still being delivered. */
const HOOK_DRAIN_MS = 5_000;

export default definePlugin<AuthOptions>({
  name: 'auth',
  version: VERSION,
  sluice: '^0.1.0',
  description: 'Authentication: Sluice API keys, a trusted proxy\'s identity header, or none; users, teams, keys, admin API and CLI',
  options: authOptions,
  migrations,
  provides: ['authentication'],
  // Before the router: the allow-lists are checked on the model the router serves, and the router
  // answers model listings itself; a router earlier would do both for unauthenticated clients.
  precedes: ['routing'],
  errors: {
    // The database could not say whether the key is valid (and the cache could not either):
    // retryable, and never a 401 that would make a client drop a good key.
    SLUICE_E_AUTH_UNAVAILABLE: { status: 503, openai: 'api_error', anthropic: 'api_error', gemini: 'UNAVAILABLE' },
  },
  // Exit 1 on a usage or validation error — a config that cannot be read or validated included —
  // so that 2 keeps meaning "the database cannot be reached" (cli-support.ts).
  commands: {
    // Listings only read: pointed at a database that is not there (a mistyped --config) they say so
    // and create nothing, where they used to make an empty, migrated one and list "(none)" from it.
    user: { summary: 'Add, list, disable and enable users', usage: USER_USAGE, run: runUserCommand, invalidConfigExit: EXIT_USAGE, readsOnly: listing, readsTables: IDENTITY_TABLES },
    team: { summary: 'Add, list, disable and enable teams', usage: TEAM_USAGE, run: runTeamCommand, invalidConfigExit: EXIT_USAGE, readsOnly: listing, readsTables: IDENTITY_TABLES },
    key: { summary: 'Create, list, show and revoke API keys', usage: KEY_USAGE, run: runKeyCommand, invalidConfigExit: EXIT_USAGE, readsOnly: listing, readsTables: IDENTITY_TABLES },
  },
  setup(options, host): PluginInstance<AuthOptions> {
    const logger = host.logger;
    const hooks = createHookDispatcher(options.hooks, logger);
    // Other plugins' gateway events (budget thresholds) go out through the same hooks, from start on.
    let unsubscribe = () => {};
    const forwardEvents = () => { unsubscribe = host.events.subscribe((event) => hooks.deliver(event)); };
    const stopHooks = () => { unsubscribe(); return hooks.drain(HOOK_DRAIN_MS); };
    const cache = {
      ttlMs: options.cache_ttl_ms,
      staleMs: options.stale_if_error_ms,
      maxEntries: options.cache_max_entries,
      lookupTimeoutMs: options.lookup_timeout_ms,
    };
    let lastStaleLog = 0;
    const onStale = (error: unknown) => {
      // Once a minute is enough to say the database is away and we are covering for it.
      if (Date.now() - lastStaleLog < 60_000) return;
      lastStaleLog = Date.now();
      logger.warn('identity database unreachable; serving cached verdicts', { error: (error as Error).message, code: (error as { code?: string }).code });
    };

    let verifier: KeyVerifier | undefined;
    let proxy: ProxyHeaderAuthenticator | undefined;
    const apply = (changes: Partial<Changes>) => { verifier?.invalidate(changes); proxy?.invalidate(changes); };
    const reset = () => { verifier?.clear(); proxy?.clear(); };

    const service = new IdentityService({
      database: () => host.database(),
      hooks,
      // This instance forgets at once; the others hear it on Redis (or at their next poll).
      announce: async (changes) => { apply(changes); await publishChanges(host.redis(), changes, logger); },
    });
    registerAdminApi(host, service);

    if (options.mode === 'none') {
      return { authenticate: anonymous, authenticates: false, start: forwardEvents, close: stopHooks };
    }

    if (options.mode === 'api_key') {
      verifier = new KeyVerifier(async (id) => findKey(await host.database(), id), cache, onStale);
    } else {
      proxy = new ProxyHeaderAuthenticator({
        header: options.header ?? 'x-forwarded-email',
        groupsHeader: options.groups_header,
        trusted: compileCidrs(options.trusted_proxies!),
        autoCreate: options.auto_create ? (name) => service.ensureUser(name, options.default_team) : undefined,
      }, {
        findUser: async (name) => findUser(await host.database(), name),
        findTeam: async (name) => findTeam(await host.database(), name),
      }, cache, onStale);
    }

    const feed = new ChangeFeed({
      redis: () => host.redis(),
      database: () => host.database(),
      pollMs: options.change_poll_ms,
      logger,
      apply,
      reset,
    });
    return {
      // On the request's head, before its body is read (core runs it ahead of the chain).
      authenticate: verifier ? apiKeyAuthenticator(verifier, logger) : proxyHeaderAuthenticator(proxy!, logger),
      authenticates: true,
      start: () => { forwardEvents(); return feed.start(); },
      close: async () => {
        await feed.close();
        await stopHooks();
      },
    };
  },
});

export { authOptions } from './options.js';
export type { AuthOptions } from './options.js';
export { signatureHeader, verifySignature, SIGNATURE_HEADER, BODY_SIGNATURE_HEADER, DEFAULT_TOLERANCE_SECONDS } from './hooks.js';
export type { LifecycleEvent } from './hooks.js';
export { hookOptions, LIFECYCLE_EVENTS } from './hook-options.js';
export type { HookOptions } from './hook-options.js';
export { generateKey, hashKey, isKeyShaped, KEY_PREFIX } from './key-format.js';
