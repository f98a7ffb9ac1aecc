// Loads Sluice's own ES modules (the CLI's commands, the built-in plugins) with require() where Node
// can (process.features.require_module: Node 20.19+, 22.12+), import() elsewhere. require() reads,
// resolves and links a module graph synchronously, where Node 20's import() reads each file
// asynchronously and resolves it with a realpath: ~0.3 ms more per file, and `sluice scan` loads ~90
// (bench/results/cli-startup.md). Node keeps one module map for both, so a module is the same
// instance whichever way it was first loaded. Third-party plugins keep import(): they may use
// top-level await, or need the `sluice` resolution hook, which require() does not run.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const canRequire = process.features.require_module === true;

/**
 * The module at `url` (a file of this package — or of a plugin's own, which may load its lazy parts
 * this way), loaded as fast as this Node allows.
 */
export async function importOwn<T>(url: URL): Promise<T> {
  if (canRequire) {
    try {
      return require(fileURLToPath(url)) as T;
    } catch (err) {
      // A module with top-level await cannot be required; anything else is the module's own error.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    }
  }
  return (await import(url.href)) as T;
}
