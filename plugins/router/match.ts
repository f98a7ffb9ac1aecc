// Model-name patterns: exact names, `prefix*`, `*suffix`, `*contains*` and `*` — plain string tests,
// compiled once, so routing costs a few comparisons per request.

export type ModelMatcher = (model: string) => boolean;

export function compileModelPattern(pattern: string): ModelMatcher {
  const starts = pattern.startsWith('*');
  const ends = pattern.endsWith('*') && pattern.length > 1;
  const core = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (core.includes('*')) throw new Error(`pattern "${pattern}" may use * only at its start or end`);
  if (pattern === '*') return () => true;
  if (starts && ends) return (m) => m.includes(core);
  if (starts) return (m) => m.endsWith(core);
  if (ends) return (m) => m.startsWith(core);
  return (m) => m === core;
}

export function isExactPattern(pattern: string): boolean {
  return !pattern.includes('*');
}
