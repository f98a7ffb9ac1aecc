// main() with an Io of the caller's own runs any command in-process: a plugin command's output, its
// stderr and the log lines of its host's logger go to the Io's streams, none to the process's — what
// lets tests run `sluice usage`, `sluice key …` without a child process each.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluiceInProcess } from './run-cli.js';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'noter', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  commands: {
    note: { summary: 'writes everywhere', usage: 'sluice note',
      async run(args, options, io, host) {
        io.stdout.write('noted ' + args.join(' ') + '\\n');
        io.stderr.write('a warning\\n');
        host.logger.warn('a log line', { args });
        return 3;
      } },
  },
});
`;

/** What `run` writes on the process's stdout and stderr while it runs. */
async function processWrites<T>(run: () => Promise<T>): Promise<{ result: T; written: string }> {
  let written = '';
  const originals = [process.stdout.write, process.stderr.write] as const;
  const capture = (chunk: string | Uint8Array) => { written += String(chunk); return true; };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    return { result: await run(), written };
  } finally {
    [process.stdout.write, process.stderr.write] = originals;
  }
}

describe('sluice CLI: a command run in-process with the caller\'s streams', () => {
  it('a plugin command writes its output, its stderr and its log lines to the Io\'s streams, and its exit code is returned', async () => {
    const dir = tempDir('sluice-in-process-');
    writeFileSync(path.join(dir, 'noter.mjs'), PLUGIN);
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, 'storage: { database: "sqlite:./noter.db" }\nlogging: { level: warn }\nproviders: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./noter.mjs\n');
    const { result, written } = await processWrites(() => sluiceInProcess(['note', 'x', '--config', config]));
    expect(written, 'written on the process\'s own streams').to.equal('');
    expect(result.stdout).to.equal('noted x\n');
    const [warning, log, ...rest] = result.stderr.split('\n');
    expect(warning).to.equal('a warning');
    expect(JSON.parse(log!)).to.include({ msg: 'a log line', command: 'note' });
    expect(rest).to.deep.equal(['']);
    expect(result.status).to.equal(3);
  });
});
