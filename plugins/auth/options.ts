// Options of `use: auth` (docs: plugins/auth/README.md).
import { cidr, z } from '../../core/index.js';
import { hookOptions } from './hook-options.js';
import { teamName } from './names.js';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/)
  .transform((h) => h.toLowerCase())
  .meta({ expected: 'an HTTP header name' });

const PROXY_ONLY = ['header', 'groups_header', 'trusted_proxies', 'auto_create', 'default_team'] as const;

export const authOptions = z.strictObject({
  mode: z.enum(['api_key', 'proxy_header', 'none']).default('api_key')
    .describe('api_key: keys issued by Sluice; proxy_header: identity from a trusted reverse proxy; none: everyone is "anonymous".'),
  cache_ttl_ms: z.number().int().min(0).max(300_000).default(30_000)
    .describe('How long a verified key (or user) is trusted from memory before the database is asked again.'),
  cache_max_entries: z.number().int().min(1).max(1_000_000).default(10_000)
    .describe('Bound on cached keys (and, separately, on cached unknown ids).'),
  stale_if_error_ms: z.number().int().min(0).max(86_400_000).default(300_000)
    .describe('While the database is unreachable, a cached verdict is served this long past its TTL.'),
  lookup_timeout_ms: z.number().int().min(50).max(60_000).default(2_000)
    .describe('A database lookup on the request path gives up after this long.'),
  change_poll_ms: z.number().int().min(0).max(60_000).default(1_000)
    .describe('How often the database is asked which keys, users and teams changed (revocations made by the CLI or another instance); 0 turns it off.'),
  header: headerName.optional().describe('proxy_header: the header carrying the user (default x-forwarded-email).'),
  groups_header: headerName.optional().describe('proxy_header: a header with the user\'s groups; the first one is the team.'),
  trusted_proxies: z.array(cidr).min(1).optional()
    .describe('proxy_header: addresses (CIDRs) of the proxies allowed to set the identity headers.'),
  auto_create: z.boolean().optional().describe('proxy_header: create unknown users on first sight (default false: they get 401).'),
  default_team: teamName.optional().describe('proxy_header: the team of users created on first sight.'),
  hooks: hookOptions.optional(),
}).superRefine((o, ctx) => {
  if (o.mode === 'proxy_header' && !o.trusted_proxies) {
    ctx.addIssue({ code: 'custom', path: ['trusted_proxies'], input: undefined, message: 'mode proxy_header needs trusted_proxies: the addresses of the proxy that sets the identity header' });
  }
  if (o.mode !== 'proxy_header') {
    for (const name of PROXY_ONLY) {
      if (o[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], input: o[name], message: `${name} applies only to mode proxy_header` });
    }
  }
});

export type AuthOptions = z.output<typeof authOptions>;
