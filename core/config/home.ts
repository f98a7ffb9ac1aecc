// Where Sluice keeps its own data when the config in use is one shipped inside the package (the
// embedded default): under $SLUICE_HOME (default ~/.sluice), never in the package directory, which a
// global install makes read-only or shared, nor in whatever directory `sluice start` happens to run.
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's config/ directory (this file is dist/core/config/home.js). */
export const PACKAGED_CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

/** The embedded default: what `sluice start` serves when no config is named or found. */
export const EMBEDDED_CONFIG = path.join(PACKAGED_CONFIG_DIR, 'sluice.yaml');

export function sluiceHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['SLUICE_HOME'];
  return home ? path.resolve(home) : path.join(os.homedir(), '.sluice');
}

let packagedDir: string | undefined;

/** True for a config file shipped in the package (compared by real path, so symlinks do not matter). */
export function isPackagedConfig(file: string): boolean {
  packagedDir ??= real(PACKAGED_CONFIG_DIR);
  return real(file).startsWith(packagedDir + path.sep);
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The directory relative paths in a config resolve against (SQLite files, plugin files, plugin
 * options): the config file's own directory, except for packaged configs, which resolve under
 * $SLUICE_HOME.
 */
export function configBaseDir(file: string, env: NodeJS.ProcessEnv = process.env): string {
  return isPackagedConfig(file) ? sluiceHome(env) : path.dirname(path.resolve(file));
}
