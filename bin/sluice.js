#!/usr/bin/env node
// The CLI lives in compiled TypeScript; this shim keeps the `bin` path stable.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// A checkout before `npm install` (which builds) has no dist/: say what to run, not a module stack.
const entry = new URL('../dist/core/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`sluice: ${fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '')} is not built (no dist/): run \`npm install\` there, or \`npm run build\` after a change\n`);
  process.exit(1);
}

// Node 22.1+ can keep compiled code between runs, which is most of a short command's start-up;
// older Node has no such API and skips this.
module.enableCompileCache?.();

// Node 20.19+ and 22.12+ can require() ES modules: synchronously, faster than import() (see
// dist/core/import-own.js); elsewhere import().
const { main } = process.features.require_module
  ? module.createRequire(import.meta.url)('../dist/core/cli/main.js')
  : await import('../dist/core/cli/main.js');
main(process.argv.slice(2)).then((code) => {
  if (typeof code === 'number') process.exitCode = code;
  // A command that has finished exits even if a connection it opened cannot close (a database that
  // accepts a connection and never answers keeps its socket, and the process, alive for minutes).
  setTimeout(() => process.exit(), 2000).unref();
});
