import { createRequire } from 'node:module';

// Read once from package.json so plugins' supported-version ranges check against the real release.
const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
export const SLUICE_VERSION: string = pkg.version;
