// A principal's model allow-list (`Principal.allowedModels`, set by auth from the key): globs where
// `*` matches any run of characters, checked against the model a target will actually serve
// (after aliases), for the primary and every fallback alike. Compiled once per list: auth shares
// one frozen array per key, so a WeakMap keyed by it makes the per-request cost a lookup.
import { compileGlob, type GlobMatcher } from '../../core/index.js';

const compiled = new WeakMap<readonly string[], GlobMatcher>();

function matcherFor(globs: readonly string[]): GlobMatcher {
  let matcher = compiled.get(globs);
  if (!matcher) {
    const each = globs.map(compileGlob);
    matcher = (model) => each.some((m) => m(model));
    compiled.set(globs, matcher);
  }
  return matcher;
}

/** True when `model` may be served under this allow-list (undefined: every model). */
export function modelAllowed(globs: readonly string[] | undefined, model: string): boolean {
  return globs === undefined || matcherFor(globs)(model);
}
