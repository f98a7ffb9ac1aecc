// A configuration problem that stops start-up, pointing at file:line:column.

export interface ConfigLocation {
  file: string;
  line: number;
  column: number;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly location?: ConfigLocation,
  ) {
    super(location ? `${location.file}:${location.line}:${location.column}: ${message}` : message);
    this.name = 'ConfigError';
  }
}
