// A configuration problem that stops start-up, pointing at file:line:column.

export interface ConfigLocation {
  file: string;
  line: number;
  column: number;
}

export class ConfigError extends Error {
  constructor(
    /** The problem without its location. */
    readonly detail: string,
    readonly location?: ConfigLocation,
  ) {
    super(location ? `${location.file}:${location.line}:${location.column}: ${detail}` : detail);
    this.name = 'ConfigError';
  }
}

/** Several problems as one error: the first's location, the others each on a line of its own with theirs. */
export function combineConfigErrors(errors: readonly ConfigError[]): ConfigError {
  const [first, ...rest] = errors;
  if (!first) throw new Error('combineConfigErrors: no errors');
  if (rest.length === 0) return first;
  return new ConfigError(first.detail + rest.map((e) => `\n${e.message}`).join(''), first.location);
}
