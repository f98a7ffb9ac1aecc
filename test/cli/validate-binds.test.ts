// `sluice config validate` makes the check start-up makes on where it may listen: a config it calls
// valid must be one `sluice start` accepts (unauthenticated mode only on loopback).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { bin, cleanEnv } from './run-cli.js';

function validate(yaml: string) {
  const file = path.join(tempDir('sluice-validate-binds-'), 'sluice.yaml');
  writeFileSync(file, yaml);
  return spawnSync(process.execPath, [bin, 'config', 'validate', file], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
}

describe('sluice config validate: where it may listen', () => {
  it('refuses a public address without an authenticating plugin, as start does', () => {
    const r = validate('server: { host: 0.0.0.0 }\nproviders: { local: { type: loopback } }\nchain: [{ use: auth, with: { mode: none } }, { use: router, with: { default: local } }]\n');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/sluice\.yaml:1:17: refusing to listen on 0\.0\.0\.0 without authentication/);
  });

  it('accepts it with an api_key auth, or with allow_unauthenticated_remote', () => {
    expect(validate('server: { host: 0.0.0.0 }\nproviders: { local: { type: loopback } }\nchain: [{ use: auth }, { use: router, with: { default: local } }]\n').status).to.equal(0);
    expect(validate('server: { host: 0.0.0.0, allow_unauthenticated_remote: true }\nproviders: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }]\n').status).to.equal(0);
  });
});
