// A plugin's setup, start or reload refusing one of its options (a directory it cannot create, a
// file it cannot read): start-up or the reload then points at that option's line in the config,
// not only at the plugin.
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load.js';
import { formatPath, type Path } from '../schema/schema.js';

export class OptionError extends Error {
  constructor(
    /** The option's path within the plugin's `with:` (e.g. `['spill_dir']`). */
    readonly option: Path,
    message: string,
  ) {
    super(message);
    this.name = 'OptionError';
  }
}

/**
 * Not `instanceof`: a plugin file outside the gateway's tree may load another copy of core (a
 * different build, a symlinked checkout), whose class is another class.
 */
const optionOf = (err: unknown): Path | undefined => {
  const option = (err as { option?: unknown } | null)?.option;
  return (err as Error | null)?.name === 'OptionError' && Array.isArray(option) ? option as Path : undefined;
};

/**
 * The config error for a plugin whose setup, start or reload threw: at the option it named (an
 * OptionError), else `plugin <label> <what>: <message>` at `at`.
 */
export function pluginConfigError(loaded: LoadedConfig, plugin: { label: string; index: number }, err: unknown, what: string, at: Path): ConfigError {
  const message = err instanceof Error ? err.message : String(err);
  const option = optionOf(err);
  if (!option) return new ConfigError(`plugin ${plugin.label} ${what}: ${message}`, loaded.locate(at));
  // As an option its schema refused is reported (core/config/zod-errors.ts): its whole path.
  const full: Path = ['chain', plugin.index, 'with', ...option];
  return new ConfigError(`plugin ${plugin.label}: ${formatPath(full)}: ${message}`, loaded.locate(full));
}

/** A plugin whose setup or start threw. */
export const pluginStartError = (loaded: LoadedConfig, plugin: { label: string; index: number }, err: unknown): ConfigError =>
  pluginConfigError(loaded, plugin, err, 'failed to start', ['chain', plugin.index]);
