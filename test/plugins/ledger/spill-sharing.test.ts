// Instances on one host may share a spill directory (two `sluice start --port` from one config):
// each replays only its own files and those of processes that are gone, never a live one's (its
// appends could land in a file already read), and counts only what it is responsible for.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LedgerRow } from '../../../plugins/ledger/row.js';
import { SpillFile } from '../../../plugins/ledger/spill.js';
import { spillDatabase } from '../../../core/index.js';
import { tempDir } from '../../helpers/gateway.js';

const lines = (ids: string[]) => ids.map((id) => `${JSON.stringify({ request_id: id })}\n`).join('');

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('ledger spill directory shared by instances', () => {
  it('leaves a live process\'s files alone, takes over a dead one\'s and an earlier version\'s', async () => {
    const dir = tempDir('sluice-spill-shared-');
    const live = process.ppid; // the test runner's parent: alive for the whole test
    const dead = deadPid();
    writeFileSync(path.join(dir, `ledger-spill-${live}.jsonl`), lines(['live-1', 'live-2']));
    writeFileSync(path.join(dir, `ledger-spill.replay-1-${live}-0.jsonl`), lines(['live-3']));
    writeFileSync(path.join(dir, `ledger-spill-${dead}.jsonl`), lines(['dead-1', 'dead-2']));
    writeFileSync(path.join(dir, 'ledger-spill.jsonl'), lines(['old-1']));
    writeFileSync(path.join(dir, 'ledger-spill.replay-2-0.jsonl'), lines(['old-2']));

    const spill = new SpillFile(dir, () => {});
    await spill.open();
    expect(spill.rows, 'only the rows it will replay').to.equal(4);
    await spill.append([{ request_id: 'mine-1' } as LedgerRow]);
    expect(spill.rows).to.equal(5);

    const written: string[] = [];
    const n = await spill.replay(10, async (rows) => { written.push(...rows.map((r) => r.request_id)); });
    expect(n).to.equal(5);
    expect(written.sort()).to.deep.equal(['dead-1', 'dead-2', 'mine-1', 'old-1', 'old-2']);
    expect(spill.rows).to.equal(0);
    expect(readdirSync(dir).sort()).to.deep.equal([`ledger-spill-${live}.jsonl`, `ledger-spill.replay-1-${live}-0.jsonl`].sort());
  });

  it('takes over the files of a writer whose pid another process now has (its start differs), and counts a torn line out once skipped', async function () {
    if (!existsSync('/proc/self/stat')) this.skip(); // the start is read from /proc
    const dir = tempDir('sluice-spill-reused-');
    const other = process.ppid; // alive, but not the process that wrote the file
    const start = readFileSync(`/proc/${other}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
    writeFileSync(path.join(dir, `ledger-spill-${other}@${Number(start) + 1}.jsonl`), lines(['gone-1', 'gone-2']) + '{"request_id":"torn');
    writeFileSync(path.join(dir, `ledger-spill-${other}@${start}.jsonl`), lines(['running-1']));
    const spill = new SpillFile(dir, () => {});
    await spill.open();
    expect(spill.rows, 'the reused pid\'s file, its torn line included').to.equal(3);
    expect(spill.current).to.match(new RegExp(`^ledger-spill-${process.pid}@\\d+\\.jsonl$`));
    const written: string[] = [];
    expect(await spill.replay(10, async (rows) => { written.push(...rows.map((r) => r.request_id)); })).to.equal(2);
    expect(written).to.deep.equal(['gone-1', 'gone-2']);
    expect(spill.rows, 'the torn line is not waiting for anything').to.equal(0);
    expect(readdirSync(dir)).to.deep.equal([`ledger-spill-${other}@${start}.jsonl`]);
  });

  it('leaves the files of a writer to another database alone: two configs in one directory share the default spill_dir', async () => {
    // config/sluice.yaml (SQLite) and config/team.yaml (PostgreSQL) both spill to config/data/ledger-spill:
    // the rows a PostgreSQL gateway spilled before it stopped were replayed into the SQLite file by
    // the next SQLite gateway to start, and never reached PostgreSQL.
    const dir = tempDir('sluice-spill-databases-');
    const pg = new SpillFile(dir, () => {}, 'postgres://db/sluice');
    await pg.open();
    await pg.append([{ request_id: 'pg-1' } as LedgerRow]);
    // That writer is gone: its file, renamed as a dead process's would be.
    const dead = deadPid();
    const [mine] = readdirSync(dir);
    const orphan = mine!.replace(/^ledger-spill-\d+(@\d+)?/, `ledger-spill-${dead}`);
    renameSync(path.join(dir, mine!), path.join(dir, orphan));
    writeFileSync(path.join(dir, 'ledger-spill.jsonl'), lines(['old-1'])); // an earlier version's: anyone's

    const sqlite = new SpillFile(dir, () => {}, 'sqlite:/srv/config/data/sluice.db');
    await sqlite.open();
    expect(sqlite.rows, 'the other database\'s row is not this writer\'s to replay').to.equal(1);
    const written: string[] = [];
    await sqlite.replay(10, async (rows) => { written.push(...rows.map((r) => r.request_id)); });
    expect(written).to.deep.equal(['old-1']);
    expect(readdirSync(dir)).to.deep.equal([orphan]);

    const next = new SpillFile(dir, () => {}, 'postgres://db/sluice');
    await next.open();
    expect(next.rows).to.equal(1);
    const back: string[] = [];
    await next.replay(10, async (rows) => { back.push(...rows.map((r) => r.request_id)); });
    expect(back, 'replayed by the next writer to the same database').to.deep.equal(['pg-1']);

    // The same database whatever the credentials (a rotated password) and spelling; a SQLite path as resolved.
    expect(spillDatabase('postgresql://sluice:new@db:5432/sluice?options=x', '/a')).to.equal(spillDatabase('postgres://other:old@db:5432/sluice?options=x', '/b'));
    expect(spillDatabase('postgres://db:5432/sluice', '/a')).to.not.equal(spillDatabase('postgres://db:5432/other', '/a'));
    expect(spillDatabase('sqlite:./data/sluice.db', '/srv/config')).to.equal(spillDatabase('sqlite:/srv/config/data/sluice.db', '/elsewhere'));
  });
});

