// `sluice init [DIR] [--force]`: writes the commented starter config (config/starter.yaml in the
// package) to DIR/sluice.yaml, where `sluice start` run in DIR finds it.
import { constants } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGED_CONFIG_DIR } from '../config/home.js';
import type { Io } from './io.js';
import { parseCommand, USAGE } from './usage.js';

export const STARTER_CONFIG = path.join(PACKAGED_CONFIG_DIR, 'starter.yaml');

export async function init(args: string[], io: Io): Promise<number> {
  const { values, positionals, help } = parseCommand(args, USAGE.init, { force: { type: 'boolean', short: 'f' } }, 1);
  if (help) { io.out(USAGE.init); return 0; }
  const dir = path.resolve(positionals[0] ?? '.');
  const file = path.join(dir, 'sluice.yaml');
  await mkdir(dir, { recursive: true });
  try {
    // COPYFILE_EXCL makes the existence check and the write one step: no race, no silent overwrite.
    await copyFile(STARTER_CONFIG, file, values['force'] === true ? 0 : constants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    io.err(`sluice: ${file} already exists; use --force to overwrite it`);
    return 1;
  }
  const here = dir === process.cwd();
  io.out(`wrote ${file}\nnext: ${here ? '' : `cd ${dir} && `}sluice start    (check it with: sluice config validate)`);
  return 0;
}
