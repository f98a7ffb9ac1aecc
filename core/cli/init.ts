// `sluice init [DIR] [--force]`: writes the commented starter config (config/starter.yaml in the
// package) to DIR/sluice.yaml, where `sluice start` run in DIR finds it.
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGED_CONFIG_DIR } from '../config/home.js';
import { makeDirSync } from '../storage/make-dir.js';
import type { Io } from './io.js';
import { parseCommand, USAGE } from './usage.js';

export const STARTER_CONFIG = path.join(PACKAGED_CONFIG_DIR, 'starter.yaml');
const SCHEMA_LINE = /^# yaml-language-server: \$schema=\S+/;

export async function init(args: string[], io: Io): Promise<number> {
  const { values, positionals, help } = parseCommand(args, USAGE.init, { force: { type: 'boolean', short: 'f' } }, 1);
  if (help) { io.out(USAGE.init); return 0; }
  const dir = path.resolve(positionals[0] ?? '.');
  const file = path.join(dir, 'sluice.yaml');
  // The template names the schema beside it; the copy names the installed package's, so editors
  // keep validating and completing it (and follow upgrades of that install).
  const schema = pathToFileURL(path.join(PACKAGED_CONFIG_DIR, 'sluice.schema.json')).href;
  const text = (await readFile(STARTER_CONFIG, 'utf8')).replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schema}`);
  try {
    makeDirSync(dir);
    // 'wx' makes the existence check and the write one step: no race, no silent overwrite.
    await writeFile(file, text, { flag: values['force'] === true ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && isFile(file)) io.err(`sluice: ${file} already exists; use --force to overwrite it`);
    else io.err(`sluice: cannot write ${file}: ${whyNot(dir, file, err as NodeJS.ErrnoException)}`);
    return 1;
  }
  const here = dir === process.cwd();
  io.out(`wrote ${file}\nnext: ${here ? '' : `cd ${dir} && `}sluice start    (check it with: sluice config validate)`);
  return 0;
}

function isFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}

/** The reason a DIR cannot take sluice.yaml, worded with what to do rather than as an errno. */
function whyNot(dir: string, file: string, err: NodeJS.ErrnoException): string {
  const code = err.code ?? 'error';
  if (code === 'EEXIST' || code === 'EISDIR') {
    try { if (statSync(file).isDirectory()) return 'a directory has that name; move it away or name another DIR'; } catch { /* gone since */ }
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    // The file standing where a directory of the path should be: the deepest existing entry.
    for (let at = dir; path.dirname(at) !== at; at = path.dirname(at)) {
      if (isFile(at)) return `${at} is a file, not a directory (ENOTDIR); name a directory for sluice init`;
    }
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `permission denied (${code}); choose a directory you can write to`;
  return `${err.message.replace(/^[A-Z]+: /, '')} (${code})`;
}
