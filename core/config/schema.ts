// The shape of sluice.yaml (SPEC.md §2). Options grow; the shape stays.
// Every mapping is strict: a key the schema does not know is an error naming it (a typo must not
// pass silently). Mappings whose keys all have defaults may be omitted: they parse as {}
// (`.prefault({})` runs the defaults; `.default({})` would skip them).
import { z } from '../vendor/zod.js';
import type { ProtocolName } from '../protocols/types.js';
import { SIZE } from './byte-size.js';
import { compileCidrs } from '../http/client-address.js';


/** "10mb", "512kb" or a plain byte count. */
export const byteSize = z.union([
  z.number().int().min(1),
  z.string().regex(SIZE).meta({ expected: 'a size such as 10mb or 512kb' }),
]);

const PROTOCOL_NAMES = [
  'openai.chat', 'openai.responses', 'openai.embeddings', 'openai.models',
  'anthropic.messages', 'anthropic.count_tokens', 'anthropic.models',
  'gemini.generate', 'gemini.count_tokens', 'gemini.embed', 'gemini.models',
] as const satisfies readonly ProtocolName[];

const milliseconds = (min: number) => z.number().int().min(min);

const timeouts = z.strictObject({
  connect_ms: milliseconds(1).default(10_000),
  first_byte_ms: milliseconds(1).default(120_000)
    .describe('Until response headers arrive (a model may think for a while before answering).'),
  idle_ms: milliseconds(1).default(300_000).describe('Longest silence between two body chunks.'),
});

/**
 * Requests that find every connection busy wait here, first come first served. A full queue or an
 * expired wait is a retryable "saturated" error, so the router tries its next fallback at once
 * instead of holding the request behind hung upstream calls.
 */
const queue = z.strictObject({
  max: z.number().int().min(0).max(100_000).default(256).describe('Requests that may wait for a connection; 0 = never wait.'),
  timeout_ms: milliseconds(1).default(10_000).describe('Longest wait for a connection.'),
});

/**
 * Tries of the same provider after a failure the router would fall back on, before the next
 * fallback. Off by default: the official SDKs already retry twice on their own, so a gateway that
 * also retried would multiply the load a struggling provider sees.
 */
const retry = z.strictObject({
  attempts: z.number().int().min(0).max(10).default(0)
    .describe('Extra tries of this provider after a connection error, timeout, 429 or 5xx, before the next fallback; 0 = none (the SDKs retry on their own).'),
  backoff_ms: z.number().int().min(0).max(5000).default(100)
    .describe('Wait before retry k (from 0): a random time up to backoff_ms × 2^k, at most 5 s; a longer retry-after from the provider means no retry.'),
  budget_percent: z.number().min(0).max(100).default(20)
    .describe('Retries in any 10 s may be this percentage of the requests sent to this provider in them (or min_per_second × 10 if more); past it, no retry.'),
  min_per_second: z.number().min(0).max(1000).default(3)
    .describe('Retries per second always allowed by the budget, whatever the traffic (counted over 10 s).'),
});
export type RetryConfig = z.output<typeof retry>;

/**
 * Skipping a failing provider for a while (a circuit breaker), so that requests with another
 * target go there at once instead of each paying this provider's timeout first. Never a refusal.
 */
const cooldown = z.strictObject({
  after_failures: z.number().int().min(0).max(1000).default(0)
    .describe('Failures in a row (connection errors, timeouts, 429, 5xx, fallback_on statuses) after which requests that have another target skip this provider for period_ms; 0 (the default) = never skipped, a 429\'s retry-after included (3 is a usual setting).'),
  period_ms: z.number().int().min(100).max(3_600_000).default(30_000)
    .describe('How long it is skipped; then one request probes it: an answer puts it back, a failure starts another period.'),
  max_retry_after_ms: z.number().int().min(0).max(86_400_000).default(300_000)
    .describe('A 429 with retry-after skips the provider at once for that long, at most this; 0 = retry-after does not start a cooldown.'),
});
export type CooldownConfig = z.output<typeof cooldown>;

const usdPerMillion = z.number().min(0).meta({ expected: 'a price in USD per million tokens' });
const cachePrices = {
  cached_read: usdPerMillion.optional().describe('Cache reads; the input price when unset.'),
  cache_write: usdPerMillion.optional().describe('Cache writes (Anthropic: the five-minute ones); the input price when unset.'),
  cache_write_1h: usdPerMillion.optional().describe("Anthropic's one-hour cache writes; 2 × the input price when unset."),
};
const tokenPrices = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  ...cachePrices,
  reasoning: usdPerMillion.optional().describe('Reasoning tokens; the output price when unset.'),
  long_context: z.strictObject({
    above_input_tokens: z.number().int().min(1).meta({ expected: 'a whole number of prompt tokens' })
      .describe('Prompt size (input + cache read + cache write tokens) past which these prices apply to the whole request.'),
    input: usdPerMillion,
    output: usdPerMillion,
    ...cachePrices,
    reasoning: usdPerMillion.optional().describe('Reasoning tokens past the threshold; the long-context output price when unset.'),
  }).optional().describe('Where a provider prices long prompts differently: the rates for a request whose prompt is past the threshold.'),
  tiers: z.record(z.string().min(1).meta({ expected: 'a service tier as the provider names it (flex, priority, batch…)' }), z.union([
    z.strictObject({ multiplier: z.number().min(0).describe('Every class (and long_context) at this many times the base prices.') }),
    z.strictObject({ input: usdPerMillion, output: usdPerMillion, ...cachePrices, reasoning: usdPerMillion.optional() }),
  ]).meta({ expected: '{ multiplier } or { input, output, … } in USD per million tokens' })).optional()
    .describe("Prices of the service tiers the provider's answer may name (OpenAI's flex, priority, fast, scale; Anthropic's priority, batch, fast, us — joined as fast+us when several apply); default / standard use the base prices, and a tier not listed costs null."),
  web_search: z.number().min(0).meta({ expected: 'a price in USD per 1,000 calls' }).optional()
    .describe('Web searches (Anthropic server tool, Responses web_search_call, Gemini grounding queries), USD per 1,000; a row with searches and no price costs null.'),
  web_fetch: z.number().min(0).meta({ expected: 'a price in USD per 1,000 calls' }).optional()
    .describe("Anthropic's web fetches, USD per 1,000; a row with fetches and no price costs null."),
});
export type TokenPriceConfig = z.output<typeof tokenPrices>;

const PROVIDER_TYPES = 'openai, anthropic, gemini, loopback, or a provider type a plugin in the chain adds';
const provider = z.strictObject({
  // The built-in types, or one a plugin in the chain adds (`providerTypes`): checked once the chain is
  // loaded, with the known types in the message.
  type: z.enum(['openai', 'anthropic', 'gemini', 'loopback'])
    .or(z.string().regex(/^[A-Za-z0-9_.-]+$/).meta({ expected: PROVIDER_TYPES }))
    // On the union too: a missing type listed the enum's values and then this sentence, which repeats them.
    .meta({ expected: PROVIDER_TYPES }),
  base_url: z.string().regex(/^https?:\/\/[^\s]+$/).meta({ expected: 'an http(s) URL' }).optional(),
  api_key: z.union([z.string(), z.array(z.string()).min(1)]).optional()
    .describe('One key, or several used in rotation.'),
  models: z.array(z.string()).default([]).describe('Advertised in model listings.'),
  protocols: z.array(z.enum(PROTOCOL_NAMES)).min(1).optional()
    .describe('Override the protocols this provider serves natively, most preferred first, e.g. [openai.chat] for an OpenAI-compatible server without the Responses API.'),
  headers: z.record(z.string().meta({ expected: 'header names' }), z.string()).default({})
    .describe('Sent upstream on every request.'),
  timeouts: timeouts.prefault({}),
  connections: z.number().int().min(1).max(4096).default(128)
    .describe('Upstream connections kept per provider: at most this many requests are in flight to it.'),
  queue: queue.prefault({}),
  retry: retry.prefault({}),
  cooldown: cooldown.prefault({}),
  max_event_size: byteSize.default('32mb')
    .describe('Largest single SSE event accepted from this provider; a bigger one cuts the stream with an upstream error.'),
  max_response_size: byteSize.default('128mb')
    .describe('Largest JSON (non-streaming) answer accepted from this provider; a bigger one is cut and answered with an upstream error.'),
  prices: tokenPrices.optional()
    .describe('What this provider charges for every model it serves (USD per million tokens), over `pricing:` — a reseller, an in-house server, a marketplace offer.'),
});
/**
 * Set by a plugin for a provider whose base_url another party chose (a marketplace offer): https
 * only unless `allow_http`, and no internal address (loopback, private, link-local, this machine)
 * except those in `allow` — checked on the resolved addresses at connect time. Not a YAML option:
 * a provider the operator configures is trusted.
 */
const untrustedDestination = z.strictObject({
  allow_http: z.boolean().default(false),
  allow: z.array(z.string()).default([]),
});
export type ProviderConfig = z.output<typeof provider> & { untrusted?: z.output<typeof untrustedDestination> };

/**
 * A provider a plugin builds while running (`host.providers.create`): written like a `providers:`
 * entry in YAML, with the same defaults, and any type the registry knows (plugins add types).
 */
export const runtimeProviderSchema = provider.extend({ type: z.string().min(1), untrusted: untrustedDestination.optional() });
/** What `host.providers.create` takes: a `providers:` entry as YAML would give it (defaults optional). */
export type ProviderInput = z.input<typeof runtimeProviderSchema>;

const chainEntry = z.strictObject({
  use: z.string().min(1).describe('A built-in plugin name, a ./path relative to this file, or an npm package name.'),
  with: z.unknown().optional().describe('The plugin\'s options.'),
  name: z.string().optional().describe('Label for logs when the same plugin appears twice.'),
}, {
  // `- router` for `- use: router` is the likeliest slip here: show the line to write.
  error: (issue) => (issue.code === 'invalid_type' && typeof issue.input === 'string'
    ? `expected a mapping with use, with, name, got ${JSON.stringify(issue.input)} (write \`- use: ${issue.input}\`)`
    : undefined),
});
export type ChainEntry = z.output<typeof chainEntry>;

/** An address or range as the client-address resolver compiles it: a pattern let "10.0.0.0/33" through to a stack at start. */
export const cidr = z.string().regex(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/) // kept for the JSON Schema's editors
  .refine((value) => { try { compileCidrs([value]); return true; } catch { return false; } })
  .meta({ expected: 'an IP address or CIDR range such as 10.0.0.0/8 or ::1' });
/**
 * Who may tell us the client's address in X-Forwarded-For: nobody (false), a fixed number of proxies
 * in front ({ hops: N }; true means one), or proxies by address (a list of CIDRs). The header is read
 * from the right, so a client-written left-most entry is never believed.
 */
const trustProxy = z.union([
  z.boolean(),
  z.strictObject({ hops: z.number().int().min(1).max(16) }),
  z.array(cidr).min(1),
  z.strictObject({ cidrs: z.array(cidr).min(1) }),
]);


/** What a listener can serve (multi-port mode); /health and /ready answer on every listener. */
export const ENDPOINT_GROUPS = ['openai', 'anthropic', 'gemini', 'admin', 'metrics'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

const listener = z.strictObject({
  port: z.number().int().min(0).max(65535),
  host: z.string().optional().describe('Defaults to server.host.'),
  serve: z.array(z.enum(ENDPOINT_GROUPS)).min(1)
    .describe('Endpoint groups on this port: openai, anthropic, gemini (data plane), admin (/admin/…), metrics (/metrics).'),
});

/** Two listeners on one port cannot both bind; 0 (any free port) may repeat. */
const listeners = z.array(listener).min(1).superRefine((list, ctx) => {
  const seen = new Map<number, number>();
  for (const [i, l] of list.entries()) {
    const first = seen.get(l.port);
    if (l.port !== 0 && first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `port ${l.port} is already used by listener ${first + 1}` });
    seen.set(l.port, first ?? i);
  }
});

/** A label tells two entries apart in logs, metrics and `sluice plugins`: one on two entries defeats it. */
const chain = z.array(chainEntry).min(1).superRefine((entries, ctx) => {
  const seen = new Map<string, number>();
  for (const [i, e] of entries.entries()) {
    if (e.name === undefined) continue;
    const first = seen.get(e.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${e.name}" already labels chain[${first}]: give each entry its own name` });
    else seen.set(e.name, i);
  }
});

const providerName = z.string().regex(/^[A-Za-z0-9_.-]+$/).meta({ expected: 'provider names (letters, digits, _ . -)' });

/** A host name or address a client may name in `Host` (no port); `*.` in front for any name under it. */
const allowedHost = z.string()
  .regex(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$|^\[[0-9A-Fa-f:.]+\]$/)
  .meta({ expected: 'a host name or address without a port (sluice.internal, *.dev.internal, 10.0.0.5, [fd00::1])' });

export const configSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8081),
    trust_proxy: trustProxy.default(false)
      .describe('false, { hops: N } (true = one hop), or a list of proxy CIDRs: read the client address from X-Forwarded-For, right to left.'),
    allow_unauthenticated_remote: z.boolean().default(false)
      .describe('Required to listen beyond loopback with no auth plugin: an open gateway on a LAN leaks keys.'),
    allowed_hosts: z.array(allowedHost).default([])
      .describe('With no auth plugin (and allow_unauthenticated_remote false), requests are answered only when their Host, and a web page\'s Origin, is loopback (localhost, *.localhost, 127.x.x.x, [::1]; 0.0.0.0 and [::] as this machine) or one of these names (no port; *.example.test for any name under it). Guards against DNS rebinding.'),
    body_limit: byteSize.default('10mb').describe('Larger request bodies get 413.'),
    headers_timeout_ms: z.number().int().min(100).default(30_000)
      .describe("Until a request's headers are complete (also how long a new connection may stay silent)."),
    body_timeout_ms: z.number().int().min(100).default(60_000)
      .describe("Until a request's body is complete, counted from its headers; never covers the response."),
    max_json_depth: z.number().int().min(8).max(1000).default(128)
      .describe('Deepest array/object nesting accepted in a JSON body (deeper is a 400 before anything walks it).'),
    send_timeout_ms: z.number().int().min(100).default(60_000)
      .describe("A client that takes none of its answer for this long (it stopped reading: stalled, asleep, or holding the connection) is disconnected, its upstream request aborted, and the request recorded as a client disconnect; nginx's send_timeout. Counted only while the answer waits on the client: a slow reader that keeps reading is never cut. The same for a Responses WebSocket."),
    shutdown_grace_ms: z.number().int().min(0).default(10_000)
      .describe('How long in-flight requests may finish after SIGTERM before they are cut.'),
    sse_keepalive_ms: z.number().int().min(1000).default(15_000)
      .describe('Idle SSE streams get a comment line this often so proxies keep them open.'),
    websocket_idle_timeout_ms: z.number().int().min(100).default(3_600_000)
      .describe("A Responses WebSocket with no turn for this long is closed (1001); pings do not count. The client opens a new one and sends the whole conversation. The default is the lifetime: OpenAI's socket is not closed for idleness before it, and a client through Sluice should not be either; lower it to free idle conversations sooner."),
    websocket_lifetime_ms: z.number().int().min(100).default(3_600_000)
      .describe("Every Responses WebSocket is closed (1001) this long after it opened, as OpenAI's are at 60 minutes; a turn in flight finishes first, a message behind it gets websocket_connection_limit_reached."),
    watch_config: z.boolean().default(false)
      .describe('Reload when the config file changes on disk, exactly as on SIGHUP (atomically, only if it validates). Off: a save applies only when you send SIGHUP. Read at start.'),
    listeners: listeners.optional()
      .describe('Multi-port mode: endpoint groups on their own ports (e.g. the data plane public, admin and metrics on loopback); replaces host and port.'),
  }).prefault({}),
  storage: z.strictObject({
    database: z.string().regex(/^(sqlite:|postgres(ql)?:\/\/)/).meta({ expected: 'sqlite:PATH or postgres://…' })
      .default('sqlite:./data/sluice.db'),
    redis: z.string().regex(/^rediss?:\/\//).meta({ expected: 'a redis:// URL' }).optional(),
  }).prefault({}),
  logging: z.strictObject({
    level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  }).prefault({}),
  admin: z.strictObject({
    key: z.string().min(16).optional().describe('Enables /admin/* (Authorization: Bearer KEY).'),
  }).prefault({}),
  providers: z.record(providerName, provider).describe('Name → provider; routes point at these names.'),
  pricing: z.record(z.string().min(1).meta({ expected: 'a model name or glob' }), tokenPrices).default({})
    .describe('USD per million tokens per model glob and token class; first match wins, before the shipped defaults.'),
  chain: chain.describe('Plugins in order; `with` holds each plugin\'s options.'),
});

export type SluiceConfig = z.output<typeof configSchema>;
