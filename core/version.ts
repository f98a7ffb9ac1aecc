import { readFileSync } from 'node:fs';

// Read once from package.json so plugins' supported-version ranges check against the real release.
// Read and parsed directly: require() of the JSON cost a CommonJS resolution on every command.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const SLUICE_VERSION: string = pkg.version;
