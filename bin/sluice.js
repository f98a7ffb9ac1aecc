#!/usr/bin/env node
// The CLI lives in compiled TypeScript; this shim keeps the `bin` path stable.
import module from 'node:module';

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
