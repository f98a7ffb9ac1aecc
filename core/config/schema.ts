// The shape of sluice.yaml (SPEC.md §2). Options grow; the shape stays.
// Mappings whose keys all have defaults may be omitted: an absent mapping parses as {}.
import type { ProtocolName } from '../protocols/types.js';
import { t, type Infer } from '../schema/schema.js';

const SIZE = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "10mb", "512kb" or a plain byte count. */
export const byteSize = t.union(
  t.number({ min: 1, integer: true }),
  t.string({ pattern: SIZE, patternName: 'a size such as 10mb or 512kb' }),
);
export function toBytes(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v.trim())!;
  return Math.round(parseFloat(v) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

const PROTOCOL_NAMES = [
  'openai.chat', 'openai.responses', 'openai.embeddings', 'openai.models',
  'anthropic.messages', 'anthropic.count_tokens', 'anthropic.models',
  'gemini.generate', 'gemini.count_tokens', 'gemini.embed', 'gemini.models',
] as const satisfies readonly ProtocolName[];

const timeouts = t.object({
  connect_ms: t.default(t.number({ min: 1, integer: true }), 10_000),
  /** Until response headers arrive (a model may think for a while before answering). */
  first_byte_ms: t.default(t.number({ min: 1, integer: true }), 120_000),
  /** Longest silence between two body chunks. */
  idle_ms: t.default(t.number({ min: 1, integer: true }), 300_000),
});

const provider = t.object({
  type: t.oneOf(['openai', 'anthropic', 'gemini', 'loopback'] as const),
  base_url: t.optional(t.string({ pattern: /^https?:\/\/[^\s]+$/, patternName: 'an http(s) URL' })),
  /** One key, or several used in rotation. */
  api_key: t.optional(t.union(t.string(), t.array(t.string(), { minItems: 1 }))),
  models: t.default(t.array(t.string()), []),
  /**
   * Override the protocols this provider serves natively, most preferred first, e.g.
   * [openai.chat] for an OpenAI-compatible server without the Responses API.
   */
  protocols: t.optional(t.array(t.oneOf(PROTOCOL_NAMES), { minItems: 1 })),
  headers: t.default(t.record(t.string(), { keyName: 'header names' }), {}),
  timeouts,
  /** Upstream connections kept per provider. */
  connections: t.default(t.number({ min: 1, max: 4096, integer: true }), 128),
});
export type ProviderConfig = Infer<typeof provider>;

const chainEntry = t.object({
  use: t.string({ minLength: 1 }),
  with: t.optional(t.unknown()),
  /** Optional label when the same plugin appears twice. */
  name: t.optional(t.string()),
});
export type ChainEntry = Infer<typeof chainEntry>;

const trustProxy = t.union(
  t.boolean(),
  t.object({ hops: t.number({ min: 1, max: 16, integer: true }) }),
);

export const configSchema = t.object({
  server: t.object({
    host: t.default(t.string(), '127.0.0.1'),
    port: t.default(t.number({ min: 0, max: 65535, integer: true }), 8081),
    trust_proxy: t.default(trustProxy, false),
    /** Required to listen beyond loopback with auth off: an open gateway on a LAN leaks keys. */
    allow_unauthenticated_remote: t.default(t.boolean(), false),
    body_limit: t.default(byteSize, '10mb'),
    /** Until a request's headers are complete (also how long a new connection may stay silent). */
    headers_timeout_ms: t.default(t.number({ min: 100, integer: true }), 30_000),
    /** Until a request's body is complete, counted from its headers; never covers the response. */
    body_timeout_ms: t.default(t.number({ min: 100, integer: true }), 60_000),
    /** Deepest array/object nesting accepted in a JSON body (deeper is a 400 before anything walks it). */
    max_json_depth: t.default(t.number({ min: 8, max: 1000, integer: true }), 128),
    /** How long in-flight requests may finish after SIGTERM before they are cut. */
    shutdown_grace_ms: t.default(t.number({ min: 0, integer: true }), 10_000),
    /** Idle SSE streams get a comment line this often so proxies keep them open. */
    sse_keepalive_ms: t.default(t.number({ min: 1000, integer: true }), 15_000),
  }),
  storage: t.object({
    database: t.default(t.string({ pattern: /^(sqlite:|postgres(ql)?:\/\/)/, patternName: 'sqlite:PATH or postgres://…' }), 'sqlite:./data/sluice.db'),
    redis: t.optional(t.string({ pattern: /^rediss?:\/\//, patternName: 'a redis:// URL' })),
  }),
  logging: t.object({
    level: t.default(t.oneOf(['debug', 'info', 'warn', 'error', 'silent'] as const), 'info'),
  }),
  admin: t.object({
    key: t.optional(t.string({ minLength: 16 })),
  }),
  providers: t.record(provider, { keyPattern: /^[A-Za-z0-9_.-]+$/, keyName: 'provider names (letters, digits, _ . -)' }),
  chain: t.array(chainEntry, { minItems: 1 }),
});

export type SluiceConfig = Infer<typeof configSchema>;
