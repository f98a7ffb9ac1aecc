// `sluice init [DIR]`: a commented starter config that validates, never overwritten by accident.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/gateway.js';
import { sluice } from './run-cli.js';

describe('sluice init', () => {
  it('writes DIR/sluice.yaml, commented, which config validate accepts', () => {
    const dir = path.join(tempDir('sluice-init-'), 'new', 'dir');
    const r = sluice(['init', dir]);
    expect(r.status, r.stderr).to.equal(0);
    const file = path.join(dir, 'sluice.yaml');
    expect(r.stdout).to.include(file);
    const text = readFileSync(file, 'utf8');
    // Editors validate it against the installed package's schema.
    const schema = /^# yaml-language-server: \$schema=(file:\S+)\n/.exec(text)?.[1];
    expect(schema, text.split('\n')[0]).to.be.a('string');
    expect(existsSync(fileURLToPath(schema!))).to.equal(true);
    expect(text).to.match(/\n# Sluice — starter config/);
    expect(text).to.include('# openai:');
    const v = sluice(['config', 'validate', file, '--json']);
    expect(v.status, v.stdout + v.stderr).to.equal(0);
    expect(JSON.parse(v.stdout)).to.deep.include({ valid: true, plugins: ['firewall', 'router', 'translator', 'ledger'] });
  });

  it('defaults to the current directory, where `config validate` then finds it with no argument', () => {
    const cwd = tempDir('sluice-init-');
    expect(sluice(['init'], { cwd }).status).to.equal(0);
    const v = sluice(['config', 'validate'], { cwd });
    expect(v.status, v.stderr).to.equal(0);
    expect(v.stdout).to.include(path.join(cwd, 'sluice.yaml'));
  });

  it('refuses to overwrite an existing sluice.yaml without --force', () => {
    const dir = tempDir('sluice-init-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'mine\n');
    const r = sluice(['init', dir]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`sluice: ${file} already exists; use --force to overwrite it\n`);
    expect(readFileSync(file, 'utf8')).to.equal('mine\n');
    const forced = sluice(['init', dir, '--force']);
    expect(forced.status, forced.stderr).to.equal(0);
    expect(readFileSync(file, 'utf8')).to.match(/^# yaml-language-server: .*\n# Sluice/);
  });

  it('a DIR that cannot hold the file is one line saying which path and what to do, not a bare errno', () => {
    const dir = tempDir('sluice-init-');
    const notDir = path.join(dir, 'notes.txt');
    writeFileSync(notDir, 'x');
    const r = sluice(['init', path.join(notDir, 'sub')]);
    expect(r.stderr).to.equal(`sluice: cannot write ${path.join(notDir, 'sub', 'sluice.yaml')}: ${notDir} is a file, not a directory (ENOTDIR); name a directory for sluice init\n`);
    expect(r.status).to.equal(1);
  });
});
