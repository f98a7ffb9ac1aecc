import { t, type Infer } from '../../core/index.js';
import { compileModelPattern } from './match.js';

const pattern = t.refine(t.string({ minLength: 1 }), 'a model pattern: exact, prefix*, *suffix or *part*', (p) => {
  try { compileModelPattern(p); return true; } catch { return false; }
});

export const routerOptions = t.object({
  routes: t.default(t.array(t.object({
    match: pattern,
    provider: t.string({ minLength: 1 }),
    /** Send this model name upstream instead of the requested one. */
    model: t.optional(t.string({ minLength: 1 })),
  })), []),
  /** Alias → the model name it stands for; the alias is rewritten before the routes are tried. */
  aliases: t.default(t.record(t.string({ minLength: 1 }), { keyName: 'alias names' }), {}),
  /** Provider for models no route matches; without it, unmatched models get a 404. */
  default: t.optional(t.string({ minLength: 1 })),
});

export type RouterOptions = Infer<typeof routerOptions>;
