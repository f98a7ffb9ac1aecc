// A plugin command runs when `sluice NAME` names it, and core asks the chain's plugins in order: a
// name core answers itself, one a built-in plugin's command has, or one two chain plugins declare
// would leave one of the two unreachable with nothing said. Refused where the chain is loaded
// (start, config validate, plugins, a plugin command), at the declaring plugin's `use:` line.
import { CORE_COMMANDS } from '../cli/usage.js';
import { combineConfigErrors, ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load.js';
import type { PluginDefinition } from './contract.js';
import { builtinCommandOwner } from './resolve.js';

export interface CommandDeclarer {
  /** Position in the chain. */
  index: number;
  /** The chain entry's `use:` (a built-in's name for a built-in). */
  use: string;
  definition: PluginDefinition<unknown>;
}

/** Why `command` of plugin `p` could not be run as declared; undefined when its name is free. */
function clash(command: string, p: CommandDeclarer, declared: ReadonlyMap<string, CommandDeclarer>): string | undefined {
  if (CORE_COMMANDS.includes(command)) return `which is one of Sluice's own (sluice ${command}): rename the plugin's command`;
  if (command.startsWith('-')) return 'which the command line reads as an option: rename the plugin\'s command';
  const owner = builtinCommandOwner(command);
  if (owner !== undefined && owner !== p.use) return `which is the ${owner} plugin's (sluice ${command}): rename the plugin's command`;
  const earlier = declared.get(command);
  // The same plugin twice in the chain (two labelled instances) is one command, not a clash.
  if (earlier && earlier.definition !== p.definition) {
    return `which plugin ${earlier.definition.name} (chain[${earlier.index}]) declares too: rename one of them`;
  }
  return undefined;
}

/** Throws a ConfigError (one line per clash) when a chain plugin's command name is taken. */
export function checkCommandNames(plugins: readonly CommandDeclarer[], loaded: LoadedConfig): void {
  const problems: ConfigError[] = [];
  const declared = new Map<string, CommandDeclarer>();
  for (const p of plugins) {
    for (const command of Object.keys(p.definition.commands ?? {})) {
      const why = clash(command, p, declared);
      if (why) problems.push(new ConfigError(`chain[${p.index}]: plugin ${p.definition.name} declares the command '${command}', ${why}`, loaded.locate(['chain', p.index, 'use'])));
      else if (!declared.has(command)) declared.set(command, p);
    }
  }
  if (problems.length) throw combineConfigErrors(problems);
}
