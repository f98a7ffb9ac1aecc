// Name globs (model names, key ids, teams): `*` matches any run of characters, everything else is
// literal and case-sensitive. Matched with indexOf over the literal parts — linear in the subject,
// no regular expression to backtrack. Shared by the router's allow-lists and the ratelimit rules.

export type GlobMatcher = (subject: string) => boolean;

export function compileGlob(glob: string): GlobMatcher {
  if (glob === '*') return () => true;
  if (!glob.includes('*')) return (s) => s === glob;
  const parts = glob.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const minLength = first.length + last.length;
  return (s) => {
    if (s.length < minLength || !s.startsWith(first) || !s.endsWith(last)) return false;
    let at = first.length;
    const end = s.length - last.length;
    for (const part of middle) {
      const found = s.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
