// The reports and the identity commands (`sluice usage`, `key create`, …) read the config's storage
// and chain, never a provider's key. Run from an operator's shell, where the gateway's secrets
// (OPENAI_API_KEY in a systemd EnvironmentFile) are not exported, they refused to run with
// "environment variable OPENAI_API_KEY is not set" — the operator had to export a provider's secret
// to create a user's key. A provider (or the admin key) naming an unset variable is now left out
// of what such a command reads; a variable the command needs (the database URL) still stops it,
// and start / config validate still refuse every unset variable.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluice } from './run-cli.js';

const UNSET = 'SLUICE_TEST_UNSET_PROVIDER_KEY';

function project(storage = 'sqlite:./data/s.db'): { dir: string; file: string } {
  const dir = tempDir('sluice-command-env-');
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, [
    `storage: { database: "${storage}" }`,
    'admin: { key: "${SLUICE_TEST_UNSET_ADMIN_KEY}" }',
    'providers:',
    `  openai: { type: openai, api_key: "\${${UNSET}}" }`,
    '  local: { type: loopback }',
    'chain:',
    '  - use: auth',
    '  - use: router',
    '    with: { default: openai }',
    '  - use: ledger',
    '',
  ].join('\n'));
  return { dir, file };
}

describe('sluice CLI: plugin commands and the gateway\'s secrets', function () {
  this.timeout(90_000);

  it('user, key and usage run without the providers\' and admin\'s variables; validate still refuses them', () => {
    const { file } = project();
    const user = sluice(['user', 'add', 'alice', '--config', file]);
    expect(user.stderr).to.equal('');
    expect(user.status).to.equal(0);
    const key = sluice(['key', 'create', '--user', 'alice', '--config', file]);
    expect(key.stdout).to.match(/^sk-sluice-/);
    expect(key.status).to.equal(0);
    const usage = sluice(['usage', '--json', '--config', file]);
    expect(usage.stderr).to.not.match(/environment variable/);
    expect(JSON.parse(usage.stdout)).to.have.property('rows');
    expect(usage.status).to.equal(0);
    const validate = sluice(['config', 'validate', file]);
    expect(validate.stderr).to.match(/sluice\.yaml:2:\d+: environment variable SLUICE_TEST_UNSET_ADMIN_KEY is not set/);
    expect(validate.status).to.equal(1);
  });

  it('a variable the command reads (the database URL) still stops it, at its line', () => {
    const { file } = project('sqlite:${SLUICE_TEST_UNSET_DB_DIR}/s.db');
    const usage = sluice(['usage', '--config', file]);
    expect(usage.stderr).to.match(/sluice\.yaml:1:\d+: environment variable SLUICE_TEST_UNSET_DB_DIR is not set/);
    expect(usage.status).to.equal(2);
    const user = sluice(['user', 'list', '--config', file]);
    expect(user.stderr).to.match(/sluice\.yaml:1:\d+: environment variable SLUICE_TEST_UNSET_DB_DIR is not set/);
    expect(user.status).to.equal(1);
  });
});
