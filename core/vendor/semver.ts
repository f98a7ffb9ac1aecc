// The two semver functions the plugin loader uses (not semver's index, ~50 modules); bundled into
// one file by `npm run build` like zod.ts.
export { default as satisfies } from 'semver/functions/satisfies.js';
export { default as validRange } from 'semver/ranges/valid.js';
