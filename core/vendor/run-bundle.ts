// Runs a third-party package that scripts/bundle-vendor.mjs bundled into one CommonJS file, with the
// V8 code cache it made at build time. Compiling is most of what loading zod costs, and Node 20 keeps
// no compiled code between runs for ES modules (module.enableCompileCache is Node 22.1+); a script
// compiled here can take V8's cache. V8 checks the cache itself (its version, flags and the source):
// one it rejects — another Node, say — only means the bundle is compiled from source as usual.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

type Exports = Record<string, unknown>;

const run = new Set<string>();

/** The bundle files this process has run, for tests asserting what a command loads. */
export function bundlesRun(): string[] {
  return [...run];
}

type Wrapped = (exports: Exports, require: NodeJS.Require, module: { exports: Exports }, filename: string, dirname: string) => void;

/** The bundle as a script, compiled with `cachedData` when given (the build makes the cache from this very script). */
export function compileBundle(file: string, cachedData?: Buffer): Script {
  // The bundles come from ES modules (zod's), which are strict: so is the wrapper.
  const source = `(function (exports, require, module, __filename, __dirname) { 'use strict'; ${readFileSync(file, 'utf8')}\n})`;
  return new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
}

/** Evaluates a compiled bundle the way Node runs a CommonJS file, and returns its exports. */
export function evaluateBundle(script: Script, file: string): Exports {
  const module = { exports: {} as Exports };
  (script.runInThisContext() as Wrapped)(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/** The exports of `NAME.bundle.cjs`, compiled with `NAME.bundle.cache` when the build left one. */
export function runBundle(file: string): Exports {
  run.add(file);
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(`${file.replace(/\.cjs$/, '')}.cache`);
  } catch {
    // No cache (the build could not make one): compiled from source.
  }
  return evaluateBundle(compileBundle(file, cache), file);
}
