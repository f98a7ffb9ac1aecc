// Which config file a command uses when none is named: $SLUICE_CONFIG, else ./sluice.yaml (what
// `sluice init` writes), else the embedded default shipped in the package.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EMBEDDED_CONFIG } from '../config/home.js';

/** The config the operator chose (flag, environment or ./sluice.yaml), or undefined. */
export function chosenConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (flag) return flag;
  if (env['SLUICE_CONFIG']) return env['SLUICE_CONFIG'];
  const local = path.join(cwd, 'sluice.yaml');
  return existsSync(local) ? local : undefined;
}

export function configFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return chosenConfigFile(flag, env, cwd) ?? EMBEDDED_CONFIG;
}
