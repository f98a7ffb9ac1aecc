// Schema problems (zod's issues, as core/schema/schema.ts words them) → one ConfigError that points
// at file:line:column. The first problem is the error's location; the others follow, one per line,
// each with its own location, so a file with three typos is fixed in one round.
import { formatPath, type Path, type SchemaError } from '../schema/schema-error.js';
import { ConfigError, type ConfigLocation } from './config-error.js';

const MAX_LINES = 10;

/**
 * `base` is where the validated value stands in the file (['chain', 0, 'with'] for a plugin's
 * options); `prefix` names who validated it ("plugin router: ").
 */
export function configErrorFrom(err: SchemaError, locate: (path: Path) => ConfigLocation, base: Path = [], prefix = ''): ConfigError {
  const lines = err.problems.slice(0, MAX_LINES).map((problem) => {
    const full = [...base, ...problem.path];
    return { at: locate(full), text: `${prefix}${formatPath(full) || '(root)'}: ${problem.message}` };
  });
  const [first, ...rest] = lines;
  if (!first) return new ConfigError(`${prefix}${err.message}`, locate(base));
  const more = rest.map((l) => `\n${l.at.file}:${l.at.line}:${l.at.column}: ${l.text}`).join('');
  const hidden = err.problems.length - lines.length;
  return new ConfigError(first.text + more + (hidden > 0 ? `\n(and ${hidden} more)` : ''), first.at);
}
