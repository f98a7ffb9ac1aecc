// `sluice plugins [--config FILE] [--json]`: the chain the config resolves to.
import { configFile } from './config-file.js';
import type { Io } from './io.js';
import { table } from './table.js';
import { parseCommand, stringValue, USAGE } from './usage.js';

export async function pluginsCommand(args: string[], io: Io): Promise<number> {
  const { values, help } = parseCommand(args, USAGE.plugins, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
  if (help) { io.out(USAGE.plugins); return 0; }
  const [{ loadConfigFile }, { validateConfig }] = await Promise.all([import('../config/load.js'), import('./validate.js')]);
  const loaded = await loadConfigFile(configFile(stringValue(values, 'config')));
  // The chain a config resolves to is only shown for a config that would start: loading the chain
  // alone missed what validate refuses (an unknown provider type, a route to no provider).
  const { plugins: chain } = await validateConfig(loaded);
  const rows = chain.map((p) => ({
    position: p.index + 1, name: p.label, plugin: p.definition.name, version: p.definition.version,
    source: p.source, use: p.use, supports: p.definition.sluice,
  }));
  if (values['json'] === true) io.out(JSON.stringify(rows));
  else io.out(table(rows, ['position', 'name', 'version', 'source', 'use', 'supports']));
  return 0;
}
