import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import firewall from '../../../plugins/firewall/index.js';
import { maskValue } from '../../../plugins/firewall/scan-command.js';
import { fake } from './helpers.js';
import { testCommandHost } from '../../helpers/command-host.js';

async function run(args: string[], stdinText?: string, options: unknown = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  if (stdinText !== undefined) stdin.end(stdinText);
  const code = await firewall.commands!.scan!.run(args, firewall.options.parse(options), { stdin, stdout, stderr }, testCommandHost());
  return { code, out, err };
}

describe('sluice scan (firewall command)', () => {
  const token = 'ghp' + '_' + fake(36);
  const text = `😀 mail ann@corp.io\nkey ${token}\n`;

  it('prints one JSON object per line with UTF-16 offsets, exit 1', async () => {
    const { code, out } = await run(['--json'], text);
    expect(code).to.equal(1);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.type, l.start, l.end, l.detector])).to.deep.equal([
      ['EMAIL_ADDRESS', text.indexOf('ann@'), text.indexOf('ann@') + 'ann@corp.io'.length, 'pii'],
      ['GITHUB_TOKEN', text.indexOf(token), text.indexOf(token) + token.length, 'secrets'],
    ]);
    expect(out).to.not.include(token);
  });

  it('prints a table of 200k findings (the column widths once spread every row into Math.max and overflowed the stack)', async function () {
    this.timeout(120_000);
    const many = Array.from({ length: 200_000 }, (_, i) => `u${i}@ex-corp.io`).join(' ');
    const { code, out, err } = await run([], many);
    expect(err).to.equal('');
    expect(code).to.equal(1);
    expect(out.split('\n')).to.have.length(200_002); // header, 200k rows, the final newline
  });

  it('prints a table with masked previews from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-scan-'));
    const file = join(dir, 'input.txt');
    writeFileSync(file, text);
    const { code, out } = await run([file]);
    expect(code).to.equal(1);
    expect(out.split('\n')[0]).to.match(/^TYPE\s+START\s+END\s+SCORE\s+DETECTOR\s+PREVIEW$/);
    expect(out).to.include('GITHUB_TOKEN').and.not.include(token).and.not.include('ann@corp.io');
  });

  it('exits 0 with nothing found', async () => {
    expect(await run(['-'], 'just prose, nothing to see')).to.deep.include({ code: 0, out: 'no findings\n' });
    expect(await run(['--json'], 'nothing')).to.deep.include({ code: 0, out: '' });
  });

  it('exits 2 on a missing file or a bad flag', async () => {
    expect((await run(['/nonexistent/file.txt'])).code).to.equal(2);
    expect((await run(['--bogus'], '')).code).to.equal(2);
    expect((await run(['a', 'b'], '')).code).to.equal(2);
  });

  it('uses the configured options (custom pattern)', async () => {
    const { code, out } = await run(['--json'], 'id EMP-123456', { custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    expect(code).to.equal(1);
    expect(JSON.parse(out)).to.include({ type: 'EMPLOYEE_ID', start: 3, end: 13, detector: 'custom' });
  });

  it('masks values', () => {
    expect(maskValue('abcd')).to.equal('****');
    const masked = maskValue(token);
    expect(masked).to.not.equal(token);
    expect(masked.startsWith(token.slice(0, 4))).to.equal(true);
    expect(masked.length).to.be.lessThan(token.length);
  });

  const cli = join(process.cwd(), 'dist/core/cli/main.js');
  (existsSync(cli) ? it : it.skip)('runs through bin/sluice.js scan --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-scan-'));
    const file = join(dir, 'input.txt');
    writeFileSync(file, text);
    const result = spawnSync(process.execPath, ['bin/sluice.js', 'scan', '--json', file], { encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).to.deep.equal(['EMAIL_ADDRESS', 'GITHUB_TOKEN']);
  });
});
