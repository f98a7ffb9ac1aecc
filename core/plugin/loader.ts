// Loads the chain declared in YAML: resolve → import → check version → validate options → order
// checks. Everything that can fail does so here, at start-up, with file:line:col.
import { combineConfigErrors, ConfigError } from '../config/config-error.js';
import { importOwn } from '../import-own.js';
import type { LoadedConfig } from '../config/load.js';
import { configErrorFrom } from '../config/zod-errors.js';
import { parseOptions, SchemaError } from '../schema/schema.js';
import { SLUICE_VERSION } from '../version.js';
import { checkCommandNames } from './command-names.js';
import { isPluginDefinition, type PluginDefinition } from './contract.js';
import { registerSluiceResolution, resolvePlugin, type ResolvedPlugin } from './resolve.js';

export interface LoadedPlugin {
  /** Position in the chain. */
  index: number;
  /** Label for logs: `name` from YAML or the plugin's own name. */
  label: string;
  use: string;
  source: ResolvedPlugin['kind'];
  definition: PluginDefinition<unknown>;
  options: unknown;
}

export async function importPlugin(use: string, configDir: string): Promise<{ definition: PluginDefinition<unknown>; source: ResolvedPlugin['kind'] }> {
  const resolved = resolvePlugin(use, configDir);
  // Built-ins import core by relative path; only files and packages say `from 'sluice'`. The hook
  // runs in a loader thread whose start costs a few hundred ms, which the CLI should not pay for
  // built-ins alone.
  if (resolved.kind !== 'builtin') registerSluiceResolution();
  let mod: Record<string, unknown>;
  try {
    mod = resolved.kind === 'builtin' ? await importOwn<Record<string, unknown>>(new URL(resolved.url)) : (await import(resolved.url)) as Record<string, unknown>;
  } catch (err) {
    const at = err instanceof SyntaxError && resolved.kind !== 'builtin'
      ? (await import('./syntax-error-at.js')).syntaxErrorAt(resolved.url, err.message) : undefined;
    throw new Error(`cannot load plugin "${use}": ${at ? `${at}: ` : ''}${(err as Error).message}`);
  }
  // A TypeScript (or Babel) plugin compiled to CommonJS sets `exports.default`; imported from ESM,
  // its whole `module.exports` is the default export, so the definition sits one level down.
  const cjs = mod['default'];
  const compiled = typeof cjs === 'object' && cjs !== null ? [(cjs as Record<string, unknown>)['default'], (cjs as Record<string, unknown>)['plugin']] : [];
  const definition = [mod['default'], mod['plugin'], ...compiled].find(isPluginDefinition);
  if (!definition) throw new Error(`"${use}" does not export a plugin made with definePlugin() (as default export or \`plugin\`)`);
  // Name and version label the plugin in every log line, metric, error and `sluice plugins`: a
  // JavaScript plugin without them would otherwise load as "plugin undefined".
  for (const key of ['name', 'version'] as const) {
    const value: unknown = definition[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`"${use}": definePlugin() needs a ${key} (a non-empty string), got ${value === undefined ? 'none' : JSON.stringify(value)}`);
    }
  }
  if (!isZod4Schema(definition.options)) {
    throw new Error(`plugin ${definition.name}: \`options\` must be a zod 4 schema; write it with \`import { z } from 'sluice'\``);
  }
  // A built-in ships inside this very Sluice, its range held to the version by a test
  // (test/core/builtin-plugins.test.ts): semver, ~8 ms to load and first run, is for plugins from elsewhere.
  if (resolved.kind !== 'builtin') await checkSupportedRange(definition);
  return { definition, source: resolved.kind };
}

/** Throws unless the plugin's `sluice` range is valid and this version satisfies it. */
export async function checkSupportedRange(definition: PluginDefinition<unknown>): Promise<void> {
  const { satisfies, validRange } = await importOwn<typeof import('../vendor/semver.js')>(new URL('../vendor/semver.js', import.meta.url));
  if (!validRange(definition.sluice)) {
    throw new Error(`plugin ${definition.name} declares an invalid supported Sluice range "${definition.sluice}"`);
  }
  if (!satisfies(SLUICE_VERSION, definition.sluice, { includePrerelease: true })) {
    throw new Error(`plugin ${definition.name}@${definition.version} supports Sluice ${definition.sluice}, but this is Sluice ${SLUICE_VERSION}`);
  }
}

export async function loadChain(loaded: LoadedConfig): Promise<LoadedPlugin[]> {
  const plugins: LoadedPlugin[] = [];
  // Every entry is checked before anything is reported: a file with a typo in two plugins' options
  // is fixed in one round.
  const problems: ConfigError[] = [];
  const { chain } = loaded.config;
  for (let index = 0; index < chain.length; index++) {
    try {
      plugins.push(await loadEntry(loaded, index));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err);
      // After a module that failed to load, Node's loader can fail the next imports that share its
      // graph (the 'sluice' entry) with errors of its own: stop at the first such failure.
      if (err instanceof PluginImportError) break;
    }
  }
  if (problems.length) throw combineConfigErrors(problems);
  checkCommandNames(plugins, loaded);
  checkOrder(plugins, loaded);
  return plugins;
}

/** A chain entry whose module could not be loaded (as opposed to one whose options are wrong). */
class PluginImportError extends ConfigError {}

async function loadEntry(loaded: LoadedConfig, index: number): Promise<LoadedPlugin> {
  const entry = loaded.config.chain[index]!;
  const at = loaded.locate(['chain', index, 'use']);
  let imported: Awaited<ReturnType<typeof importPlugin>>;
  try {
    imported = await importPlugin(entry.use, loaded.dir);
  } catch (err) {
    throw new PluginImportError(`chain[${index}]: ${(err as Error).message}`, at);
  }
  const { definition, source } = imported;
  let options: unknown;
  try {
    options = parseOptions(definition.options, entry.with ?? {});
  } catch (err) {
    if (err instanceof SchemaError) throw configErrorFrom(err, loaded.locate, ['chain', index, 'with'], `plugin ${definition.name}: `);
    throw new ConfigError(`plugin ${definition.name}: ${(err as Error).message}`, loaded.locate(['chain', index, 'with']));
  }
  if (!definition.setup) {
    const commands = Object.keys(definition.commands ?? {});
    throw new ConfigError(`plugin ${definition.name} has no request middleware to put in the chain${commands.length ? ` (it provides the commands: ${commands.join(', ')})` : ''}`, at);
  }
  return { index, label: entry.name ?? definition.name, use: entry.use, source, definition, options };
}

/**
 * A zod 4 schema, from any copy of zod 4 (`_zod` carries the version). A zod 3 schema, or another
 * library's, has none: the loader and `sluice config schema` rely on zod 4's parse and JSON Schema.
 */
function isZod4Schema(value: unknown): boolean {
  const internals = (value as { _zod?: { version?: { major?: unknown }; def?: unknown } } | null | undefined)?._zod;
  return typeof internals?.def === 'object' && internals.version?.major === 4;
}

/**
 * Each plugin's `requires` must be provided by a plugin earlier in the chain, and none of its
 * `precedes` may be; a capability is provided once; routing is mandatory.
 */
function checkOrder(plugins: LoadedPlugin[], loaded: LoadedConfig): void {
  const provided = new Map<string, string>();
  for (const p of plugins) {
    for (const before of p.definition.precedes ?? []) {
      // A misplaced plugin of this kind would still run, just too late to matter (a router before
      // auth serves unauthenticated listings and ignores allow-lists): refused, not a runtime surprise.
      const earlier = plugins.find((q) => q.index < p.index && q.definition.provides?.includes(before));
      if (earlier) {
        throw new ConfigError(`plugin ${p.label} must come before "${before}" in the chain: move it before ${earlier.label} (chain[${earlier.index}])`, loaded.locate(['chain', p.index, 'use']));
      }
    }
    for (const need of p.definition.requires ?? []) {
      if (!provided.has(need)) {
        const later = plugins.find((q) => q.index > p.index && q.definition.provides?.includes(need));
        const hint = later ? `move it after ${later.label} (chain[${later.index}])` : `add a plugin that provides "${need}" before it`;
        throw new ConfigError(`plugin ${p.label} needs "${need}" earlier in the chain: ${hint}`, loaded.locate(['chain', p.index, 'use']));
      }
    }
    for (const cap of p.definition.provides ?? []) {
      // One plugin per capability: a second router would overwrite the first's choice of provider, a
      // second translator or auth would redo their work — never what the author meant, and silent.
      const first = plugins.find((q) => q.index < p.index && q.definition.provides?.includes(cap));
      if (first) {
        throw new ConfigError(`plugin ${p.label} provides "${cap}", which ${first.label} (chain[${first.index}]) already provides: keep one of them`, loaded.locate(['chain', p.index, 'use']));
      }
      provided.set(cap, p.label);
    }
  }
  if (!provided.has('routing')) {
    throw new ConfigError('the chain has no router: add `- use: router` so requests know which provider to reach', loaded.locate(['chain']));
  }
}
