#!/usr/bin/env node
// The CLI lives in compiled TypeScript; this shim keeps the `bin` path stable.
import { main } from '../dist/core/cli/main.js';
main(process.argv.slice(2)).then((code) => { if (typeof code === 'number') process.exitCode = code; });
