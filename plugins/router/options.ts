import { z } from '../../core/index.js';
import { resolveAliases } from './aliases.js';
import { compileModelPattern } from './match.js';

const name = z.string().min(1);

const pattern = name
  .refine((p) => { try { compileModelPattern(p); return true; } catch { return false; } })
  .meta({ expected: 'a model pattern: exact, prefix*, *suffix or *part*' });

/** Whether requests may pass through, be translated, or both (SPEC.md §5 router). */
export const workMode = z.enum(['auto', 'passthrough', 'translation']);
export type WorkMode = z.output<typeof workMode>;

/** A fallback: a provider name (same model), or a provider with the model name it should see. */
const fallback = z.union([
  name,
  z.strictObject({ provider: name, model: name.optional() }),
]);

/**
 * Upstream client errors to fall over on as well (a revoked key 401, no credit 402, a forbidden
 * project 403): 4xx statuses other than 429, which is a failure already.
 */
const fallbackOn = z.array(z.number().int().min(400).max(499).refine((s) => s !== 429)
  .meta({ expected: 'an HTTP status from 400 to 499 other than 429 (connection errors, timeouts, 429 and 5xx always fall back)' }))
  .max(100);

const route = z.strictObject({
  match: pattern,
  provider: name.optional(),
  model: name.optional().describe('Send this model name upstream instead of the requested one.'),
  targets: z.array(z.strictObject({
    provider: name,
    model: name.optional(),
    weight: z.number().min(0).default(1),
  })).min(1).optional()
    .describe('Instead of `provider`: spread requests over several targets by weight. Each request\'s primary is drawn by weight; the other targets follow it as fallbacks (heaviest first), then `fallbacks`.'),
  fallbacks: z.array(fallback).default([])
    .describe('Tried in order on connection errors, timeouts, 429 and 5xx, before anything reached the client.'),
  mode: workMode.optional().describe('Overrides the top-level mode for this route.'),
  fallback_on: fallbackOn.optional().describe('Overrides the top-level fallback_on for this route ([] for none).'),
})
  .refine((r) => (r.provider === undefined) !== (r.targets === undefined) && (r.targets === undefined || r.targets.some((x) => x.weight > 0)))
  .meta({ expected: 'a route with either `provider` or `targets` (not both), and some target weight above 0' });

export const routerOptions = z.strictObject({
  routes: z.array(route).default([]),
  aliases: z.record(name.meta({ expected: 'alias names' }), name).default({})
    // Here, not only in compileRoutes: `sluice config validate` and a reload then refuse a cycle
    // too, each at the alias's own line.
    .superRefine((aliases, ctx) => {
      for (const p of resolveAliases(aliases).problems) ctx.addIssue({ code: 'custom', path: [p.alias], input: aliases[p.alias], message: p.message });
    })
    .describe('Alias → the model name it stands for, or another alias (followed to its model, at most 8 deep; no cycles); resolved before the routes are tried.'),
  default: name.optional().describe('Provider for models no route matches; without it, unmatched models get a 404.'),
  fallbacks: z.array(fallback).default([]).describe('Fallbacks for the default provider.'),
  mode: workMode.default('auto').describe('auto: pass through when the provider speaks the client\'s protocol, else translate.'),
  fallback_on: fallbackOn.default([])
    .describe('Upstream 4xx statuses that also move a request on to the next target, e.g. [401, 402, 403] for a revoked key or an account out of credit; still only before anything reached the client, never retried on the same provider. Off by default: a 4xx is usually the request\'s fault.'),
});

export type RouterOptions = z.output<typeof routerOptions>;
export type FallbackOption = RouterOptions['fallbacks'][number];
