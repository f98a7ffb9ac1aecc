import { t, type Infer } from '../../core/index.js';
import { compileModelPattern } from './match.js';

const pattern = t.refine(t.string({ minLength: 1 }), 'a model pattern: exact, prefix*, *suffix or *part*', (p) => {
  try { compileModelPattern(p); return true; } catch { return false; }
});

/** Whether requests may pass through, be translated, or both (SPEC.md §5 router). */
export const workMode = t.oneOf(['auto', 'passthrough', 'translation'] as const);
export type WorkMode = Infer<typeof workMode>;

/** A fallback: a provider name (same model), or a provider with the model name it should see. */
const fallback = t.union(
  t.string({ minLength: 1 }),
  t.object({ provider: t.string({ minLength: 1 }), model: t.optional(t.string({ minLength: 1 })) }),
);

export const routerOptions = t.object({
  routes: t.default(t.array(t.refine(t.object({
    match: pattern,
    provider: t.optional(t.string({ minLength: 1 })),
    /** Send this model name upstream instead of the requested one. */
    model: t.optional(t.string({ minLength: 1 })),
    /**
     * Instead of `provider`: spread requests over several targets by weight. Each request's primary
     * is drawn by weight; the other targets follow it as fallbacks (heaviest first), then `fallbacks`.
     */
    targets: t.optional(t.array(t.object({
      provider: t.string({ minLength: 1 }),
      model: t.optional(t.string({ minLength: 1 })),
      weight: t.default(t.number({ min: 0 }), 1),
    }), { minItems: 1 })),
    /** Tried in order on connection errors, timeouts, 429 and 5xx, before anything reached the client. */
    fallbacks: t.default(t.array(fallback), []),
    /** Overrides the top-level mode for this route. */
    mode: t.optional(workMode),
  }), 'a route with either `provider` or `targets` (not both), and some target weight above 0',
  (r) => (r.provider === undefined) !== (r.targets === undefined) && (r.targets === undefined || r.targets.some((x) => x.weight > 0)))), []),
  /** Alias → the model name it stands for; the alias is rewritten before the routes are tried. */
  aliases: t.default(t.record(t.string({ minLength: 1 }), { keyName: 'alias names' }), {}),
  /** Provider for models no route matches; without it, unmatched models get a 404. */
  default: t.optional(t.string({ minLength: 1 })),
  /** Fallbacks for the default provider. */
  fallbacks: t.default(t.array(fallback), []),
  /** auto: pass through when the provider speaks the client's protocol, else translate. */
  mode: t.default(workMode, 'auto'),
});

export type RouterOptions = Infer<typeof routerOptions>;
export type FallbackOption = RouterOptions['fallbacks'][number];
