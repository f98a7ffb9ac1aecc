// zod, for every runtime import in core (the public entry re-exports it to plugins): the one place
// it is imported, so there is a single zod whichever way this module is built. `npm run build`
// replaces this module's output with zod bundled into one file (scripts/bundle-vendor.mjs): zod is
// ~100 ES modules, and Node 20's loader pays for each file a command imports
// (bench/results/cli-startup.md). Built by tsc alone it stays this re-export and works the same,
// only slower to load.
export { z } from 'zod';
