// A principal's model allow-list (`Principal.allowedModels`, set by auth from the key): globs where
// `*` matches any run of characters, checked against the model a target will actually serve
// (after aliases), for the primary and every fallback alike. Compiled once per list: auth shares
// one frozen array per key, so a WeakMap keyed by it makes the per-request cost a lookup.

type Matcher = (model: string) => boolean;

function compileGlob(glob: string): Matcher {
  if (!glob.includes('*')) return (model) => model === glob;
  const parts = glob.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const minLength = first.length + last.length;
  return (model) => {
    if (model.length < minLength || !model.startsWith(first) || !model.endsWith(last)) return false;
    let at = first.length;
    const end = model.length - last.length;
    for (const part of middle) {
      const found = model.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

const compiled = new WeakMap<readonly string[], Matcher>();

function matcherFor(globs: readonly string[]): Matcher {
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
