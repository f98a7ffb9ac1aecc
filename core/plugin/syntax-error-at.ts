// Where in a plugin file its syntax error is. Node's ESM loader puts no location in a SyntaxError's
// message or stack (it prints one only for an error nobody caught), so the author would read
// "Unexpected token '}'" and have to search the file. `node --check` on the source names the line
// and marks the column; only asked once loading failed, so a good plugin costs nothing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `file:line:col` of the syntax error `message` in the module at `url`, or undefined when it is not that file's. */
export function syntaxErrorAt(url: string, message: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  let source: string;
  try { source = readFileSync(file, 'utf8'); } catch { return undefined; }
  const r = spawnSync(process.execPath, [`--input-type=${file.endsWith('.cjs') ? 'commonjs' : 'module'}`, '--check'], { input: source, encoding: 'utf8', timeout: 10_000 });
  const lines = (r.stderr ?? '').split('\n');
  const at = /^\[stdin\]:(\d+)$/.exec(lines[0] ?? '');
  // The same error, or it is another (in a module this one imports, or read another way): say nothing.
  if (!at || !lines.includes(`SyntaxError: ${message}`)) return undefined;
  const caret = lines[2]?.indexOf('^') ?? -1;
  return `${file}:${at[1]}${caret >= 0 ? `:${caret + 1}` : ''}`;
}
