// A disk that fills in the middle of a spill append: the whole lines that landed stay (and are
// counted as waiting), the torn end is taken off so the next append is not glued onto it, and the
// writer counts as lost only the rows that did not land.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpillFile } from '../../../plugins/ledger/spill.js';
import { tempDir } from '../../helpers/gateway.js';

const spillModule = fileURLToPath(new URL('../../../plugins/ledger/spill.js', import.meta.url));

describe('ledger spill file on a full disk', () => {
  it('keeps the whole lines that landed, takes the torn end off, and says how many landed', async () => {
    const dir = tempDir('sluice-spill-full-');
    // The file-size limit (`ulimit -f`, 1 KiB blocks) stands in for a full disk: the write is cut
    // short where it is reached (EFBIG, as ENOSPC would), in a child so that the limit is its own.
    const script = `
      const { SpillFile, SpillCutShort } = await import(${JSON.stringify(spillModule)});
      const spill = new SpillFile(${JSON.stringify(dir)}, () => {});
      const rows = (from, n) => Array.from({ length: n }, (_, i) => ({ request_id: 'r' + String(from + i).padStart(4, '0'), pad: 'x'.repeat(90) }));
      const out = [];
      for (const [from, n] of [[0, 10], [10, 30], [40, 5]]) {
        try { await spill.append(rows(from, n)); out.push({ n, landed: n }); }
        catch (err) { out.push({ n, landed: err instanceof SpillCutShort ? err.landed : -1, code: err.cause?.code }); }
      }
      console.log(JSON.stringify({ out, waiting: spill.rows, file: spill.current }));`;
    const r = spawnSync('bash', ['-c', `ulimit -f 4; exec "${process.execPath}" --input-type=module -e "$SCRIPT"`], { env: { ...process.env, SCRIPT: script }, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const { out, waiting, file } = JSON.parse(r.stdout) as { out: { n: number; landed: number; code?: string }[]; waiting: number; file: string };
    const text = readFileSync(path.join(dir, file), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop(), 'the file ends with a whole line').to.equal('');
    const ids = lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id);
    // ~125 bytes a row and 4096 allowed: the first 10 land, the second append is cut part-way through.
    expect(out[0]).to.deep.equal({ n: 10, landed: 10 });
    expect(out[1]!.code).to.equal('EFBIG');
    expect(out[1]!.landed).to.be.within(1, 29);
    expect(ids, 'every whole line that landed, in order, none torn').to.deep.equal(Array.from({ length: 10 + out[1]!.landed }, (_, i) => `r${String(i).padStart(4, '0')}`));
    expect(out[2]!.landed, 'the file is at its limit: nothing more lands').to.equal(0);
    expect(waiting, 'waiting: the rows in the file').to.equal(ids.length);

    // With room again, the next append starts on a line of its own and everything replays.
    const spill = new SpillFile(dir, () => { throw new Error('a torn line'); });
    await spill.open();
    expect(spill.rows).to.equal(ids.length);
    const replayed: string[] = [];
    await spill.replay(100, async (rows) => { replayed.push(...rows.map((row) => row.request_id)); });
    expect(replayed).to.deep.equal(ids);
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
