// Turns a `use:` value into a module URL: a built-in name, a path relative to the config file, or an
// npm package installed beside the config (or beside Sluice).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { likelyMeant } from '../schema/likely-meant.js';

/** Built-in plugins by name. Core knows only where they live, never what they contain. */
const BUILTINS = ['router', 'firewall', 'translator', 'dedupe', 'auth', 'ledger', 'ratelimit', 'marketplace'] as const;

export function builtinNames(): readonly string[] {
  return BUILTINS;
}

/**
 * The built-in that adds each command core's usage lists. A hint, so that `sluice scan` imports the
 * firewall rather than every built-in before it in turn (the router first, with its options schema):
 * the plugin is still asked for the command, and a test holds this table to the definitions.
 */
const BUILTIN_COMMANDS: Readonly<Record<string, (typeof BUILTINS)[number]>> = {
  scan: 'firewall', user: 'auth', team: 'auth', key: 'auth', usage: 'ledger', audit: 'ledger', marketplace: 'marketplace',
};

/** The built-in plugin that adds `command` (one `sluice --help` lists), if one does. */
export function builtinCommandOwner(command: string): string | undefined {
  return Object.hasOwn(BUILTIN_COMMANDS, command) ? BUILTIN_COMMANDS[command] : undefined;
}

/** The built-ins, the one that adds `command` (when one does) first. */
export function builtinsForCommand(command: string): readonly string[] {
  const owner = Object.hasOwn(BUILTIN_COMMANDS, command) ? BUILTIN_COMMANDS[command] : undefined;
  return owner ? [owner, ...BUILTINS.filter((name) => name !== owner)] : BUILTINS;
}

export interface ResolvedPlugin {
  kind: 'builtin' | 'file' | 'package';
  url: string;
}

export function resolvePlugin(use: string, configDir: string): ResolvedPlugin {
  if ((BUILTINS as readonly string[]).includes(use)) {
    return { kind: 'builtin', url: new URL(`../../plugins/${use}/index.js`, import.meta.url).href };
  }
  if (use.startsWith('./') || use.startsWith('../') || path.isAbsolute(use)) {
    const file = path.resolve(configDir, use);
    if (!existsSync(file)) throw new Error(`plugin file ${file} does not exist`);
    return { kind: 'file', url: pathToFileURL(file).href };
  }
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(use)) {
    throw new Error(`"${use}" is not a built-in plugin (${BUILTINS.join(', ')}), a ./relative path or an npm package name`);
  }
  const dir = findPackageDir(use, configDir) ?? findPackageDir(use, path.dirname(new URL(import.meta.url).pathname));
  if (!dir) {
    const guess = likelyMeant(use, BUILTINS);
    throw new Error(`plugin package "${use}" is not installed (looked in node_modules above ${configDir}); ${guess ? `did you mean the built-in "${guess}"? ` : ''}built-ins are ${BUILTINS.join(', ')}`);
  }
  return { kind: 'package', url: pathToFileURL(packageEntry(dir)).href };
}

function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

type Exports = string | { [key: string]: Exports } | null;

/** The ESM entry of a package: exports["."] (import/node/default conditions), else main, else index.js. */
function packageEntry(dir: string): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { exports?: Exports; main?: string };
  const pick = (e: Exports | undefined): string | undefined => {
    if (typeof e === 'string') return e;
    if (!e || typeof e !== 'object') return undefined;
    if ('.' in e) return pick(e['.']);
    for (const cond of ['import', 'node', 'default']) if (cond in e) return pick(e[cond]);
    return undefined;
  };
  const rel = pick(pkg.exports) ?? pkg.main ?? 'index.js';
  const file = path.resolve(dir, rel);
  return existsSync(file) && statSync(file).isDirectory() ? path.join(file, 'index.js') : file;
}

let hookRegistered = false;
/** Installs the 'sluice' → this gateway resolve hook once per process. */
export function registerSluiceResolution(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  register(new URL('./sluice-resolve-hook.js', import.meta.url), {
    data: { entryUrl: new URL('../index.js', import.meta.url).href },
  });
}
