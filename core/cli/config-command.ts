// `sluice config validate [FILE] [--json]` and `sluice config schema [--config FILE]`.
import { configFile } from './config-file.js';
import type { Io } from './io.js';
import { parseCommand, stringValue, UsageError, USAGE } from './usage.js';

export async function configCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(USAGE.config); return 0; }
  if (sub === 'schema') return (await import('./config-schema.js')).configSchemaCommand(rest, io);
  if (sub !== 'validate') throw new UsageError(sub === undefined ? 'missing sub-command: validate or schema' : `unknown sub-command '${sub}'`, USAGE.config);
  const { values, positionals, help } = parseCommand(rest, USAGE.config, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, 1);
  if (help) { io.out(USAGE.config); return 0; }
  const flag = stringValue(values, 'config');
  if (flag !== undefined && positionals[0] !== undefined) throw new UsageError('name the file once: FILE or --config FILE', USAGE.config);
  const json = values['json'] === true;

  const [{ loadConfigFile }, { validateConfig }, { ConfigError }] = await Promise.all([
    import('../config/load.js'), import('./validate.js'), import('../config/config-error.js'),
  ]);
  try {
    const loaded = await loadConfigFile(configFile(flag ?? positionals[0]));
    const { plugins, providers } = await validateConfig(loaded);
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    if (json) io.out(JSON.stringify({ valid: true, file: loaded.file, plugins: plugins.map((p) => p.definition.name) }));
    else io.out(`${loaded.file}: valid (${count(plugins.length, 'plugin')}, ${count(providers.length, 'provider')})`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (json) io.out(JSON.stringify({ valid: false, error: err.message, location: err.location }));
    else io.err(`sluice: ${err.message}`);
    return 1;
  }
}
