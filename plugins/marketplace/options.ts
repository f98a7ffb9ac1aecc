// The marketplace plugin's options (`with:` under `- use: marketplace`).
import { cidr, z } from '../../core/index.js';
import { duration } from './duration.js';

const usdPerMillion = z.number().min(0).meta({ expected: 'a price in USD per million tokens' });
const name = z.string().min(1);
const PROTOCOLS = ['openai', 'anthropic', 'gemini'] as const;

const price = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cached_read: usdPerMillion.optional().describe('Cache reads; the input price when unset.'),
  cache_write: usdPerMillion.optional().describe('Cache writes; the input price when unset.'),
});

const maxPrice = z.strictObject({
  input: usdPerMillion.optional(),
  output: usdPerMillion.optional(),
  cached_read: usdPerMillion.optional(),
  cache_write: usdPerMillion.optional(),
});

const hostName = z.string().regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/)
  .meta({ expected: 'a host name such as llm.internal.example' });

// Offers' base URLs are chosen by the marketplace and its sellers, not the operator: what they may
// point at is limited (docs/marketplace.md, "Where offers may point").
const offerHosts = z.strictObject({
  allow_http: z.boolean().default(false).describe('Buy offers whose base_url is http:// (prompts and keys cross the network in clear). Off: https only.'),
  allow: z.array(cidr.or(hostName).meta({ expected: 'a host name, an IP address or a CIDR range' })).default([])
    .describe('Internal destinations offers may use: host names (exact; any address they resolve to) and IP addresses or CIDR ranges. Loopback, private, link-local and this machine\'s own addresses are refused otherwise.'),
});
export type OfferHosts = z.output<typeof offerHosts>;

const buy = z.strictObject({
  enabled: z.boolean().default(false).describe('Pull the offer catalogue and turn matching offers into providers named offer:<id>.'),
  max_price: maxPrice.prefault({}).describe('USD per million tokens, per class; an offer dearer in any class set here is ignored.'),
  models: z.array(name).default(['*']).describe('Model globs (* matches any run of characters, e.g. gpt-4o*, claude-*-sonnet) an offer must overlap to be used.'),
  offer_hosts: offerHosts.optional().describe('Where offers may point: https only, and no internal address unless listed here. Unset: so for a marketplace on the internet; a marketplace on this machine or a private network (one you run) may also point at http and loopback or private addresses, never link-local.'),
});

const offer = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).meta({ expected: 'an offer id of letters, digits, dot, dash or underscore' }),
  models: z.array(name).min(1).describe('Models (or patterns) buyers may ask for.'),
  price,
  capacity: z.strictObject({
    rpm: z.number().int().min(1).optional(),
    tpm: z.number().int().min(1).optional(),
  }).prefault({}).describe('Advertised capacity; enforce it with a ratelimit rule on the buyers\' marketplace key (docs/marketplace.md).'),
  base_url: z.string().regex(/^https?:\/\/[^\s]+$/).meta({ expected: 'an http(s) URL' }).describe('Where buyers reach this gateway.'),
  protocol: z.enum(PROTOCOLS).default('openai').describe('The protocol buyers should speak to base_url.'),
  api_key: z.string().min(1).optional().describe('A key of kind marketplace (sluice key create --kind marketplace) the marketplace hands to buyers.'),
});

const sell = z.strictObject({
  enabled: z.boolean().default(false).describe('Publish `offer` at start (and again every pull_interval), withdraw it on shutdown.'),
  offer: offer.optional(),
}).refine((s) => !s.enabled || s.offer !== undefined).meta({ expected: 'sell.offer when sell.enabled is true' });

export const marketplaceOptions = z.strictObject({
  // Required to run (setup says so); optional in the schema only so `sluice marketplace status
  // --help` works with a config that has no marketplace.
  url: z.string().regex(/^https?:\/\/[^\s]+$/).meta({ expected: 'an http(s) URL' }).optional().describe('Required. The marketplace\'s base URL (requests go to {url}/v1/…).'),
  api_key: z.string().min(1).optional().describe('Required. Sent as Authorization: Bearer on every marketplace request.'),
  gateway_id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/).meta({ expected: 'a gateway id of letters, digits, dot, dash or underscore' }).optional()
    .describe('Required. This gateway as the marketplace knows it (x-sluice-gateway-id).'),
  push_interval: duration(50).default('30s').describe('How often waiting usage records are pushed (a full batch is pushed at once).'),
  pull_interval: duration(50).default('60s').describe('How often the offer catalogue is pulled (and this gateway\'s offer re-published).'),
  batch_size: z.number().int().min(1).max(5000).default(500).describe('Usage records per POST /v1/usage.'),
  report: z.enum(['marketplace', 'all']).default('marketplace')
    .describe('marketplace: push only rows that involved the marketplace (consumed or supplied); all: every request.'),
  spill_dir: z.string().min(1).default('./data/marketplace-spill')
    .describe('Where usage records wait on local disk while the database does not take them (also at shutdown); written to the outbox when it is back. Relative to the config file.'),
  timeout: duration(50).default('10s').describe('A marketplace request taking longer counts as failed and is retried.'),
  retry: z.strictObject({
    initial: duration(10).default('1s').describe('First wait after a failed push or pull; doubles per failure, with jitter.'),
    max: duration(10).default('5m').describe('Longest wait between retries (a longer retry-after is honoured up to one hour).'),
  }).prefault({}),
  buy: buy.prefault({}),
  sell: sell.prefault({}),
});

export type MarketplaceOptions = z.output<typeof marketplaceOptions>;
export type OfferPrice = z.output<typeof price>;
export type SellOffer = z.output<typeof offer>;
