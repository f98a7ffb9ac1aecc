// Rows that could not be written wait here, one JSON object a line, until the database is back.
// Appends go to this process's own `ledger-spill-<pid>.jsonl`; a replay first renames it (so new
// spills never mix into a file being read), writes each renamed file in batches and deletes it once
// all of it is in. A replay cut short leaves its file for the next one: inserts are idempotent by
// request id, so rows already written are skipped. A torn last line (a crash mid-append) is skipped
// and logged.
//
// Instances on one host may share the directory (two `sluice start --port` from one config): each
// writes and replays only its own files, and takes over those of a process that is gone — claimed by
// an atomic rename, so two survivors never replay one file — but never a live one's, whose appends
// could otherwise land in a file already read.
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerRow } from './row.js';

/** An earlier version's one shared file: anyone's to take over. */
const LEGACY_CURRENT = 'ledger-spill.jsonl';
const CURRENT = /^ledger-spill-(\d+)\.jsonl$/;
/** `ledger-spill.replay-<time>-<pid>-<serial>.jsonl`; an earlier version's have no pid. */
const REPLAY = /^ledger-spill\.replay-(\d+)-(\d+)(?:-(\d+))?\.jsonl$/;

/** Whether the process that owns a file is still running (on this host). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** The pid a spill file belongs to; undefined for an earlier version's (nobody's). */
function ownerOf(name: string): number | undefined {
  const current = CURRENT.exec(name);
  if (current) return Number(current[1]);
  const replay = REPLAY.exec(name);
  return replay?.[3] !== undefined ? Number(replay[2]) : undefined;
}

export class SpillFile {
  /** Rows on disk waiting for the database (counted from the files at start, then kept up to date). */
  rows = 0;
  private serial = 0;
  private ready: Promise<void> | undefined;
  private readonly current = `ledger-spill-${process.pid}.jsonl`;

  constructor(readonly dir: string, private readonly onCorrupt: (file: string, line: number) => void) {}

  /** Counts what earlier runs left behind (files of live processes sharing the directory are theirs). */
  async open(): Promise<void> {
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    this.rows = 0;
    for (const file of await this.files()) {
      const owner = ownerOf(file);
      if (owner === undefined || !alive(owner) || owner === process.pid) this.rows += await countLines(path.join(this.dir, file));
    }
    // A restart can get its crashed predecessor's pid (a container's process is pid 1 every time):
    // end a torn last line in that file, so the next row is not glued onto it.
    await endTornLine(path.join(this.dir, this.current));
  }

  async append(rows: readonly LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    let text = '';
    for (const r of rows) text += `${JSON.stringify(r)}\n`;
    await appendFile(path.join(this.dir, this.current), text);
    this.rows += rows.length;
  }

  /**
   * Hands every waiting row to `write`, batch by batch, oldest first; stops at the first failure
   * (rethrown). Returns the rows replayed.
   */
  async replay(batchSize: number, write: (rows: LedgerRow[]) => Promise<void>): Promise<number> {
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    // Claim this process's own file, and whatever a process that is gone left: renamed to this
    // process's replay names, so no one else reads them and no append can land in them.
    for (const name of await this.files()) {
      const owner = ownerOf(name);
      const mine = owner === process.pid && REPLAY.test(name);
      if (mine || (owner !== undefined && owner !== process.pid && alive(owner))) continue;
      // A torn last line (a crash mid-append) is its own line: the next file's first row is not glued to it.
      if (!REPLAY.test(name)) await endTornLine(path.join(this.dir, name));
      try {
        await rename(path.join(this.dir, name), path.join(this.dir, `ledger-spill.replay-${Date.now()}-${process.pid}-${this.serial++}.jsonl`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // another survivor took it
      }
    }
    let done = 0;
    for (const name of (await this.files()).filter((n) => REPLAY.test(n) && ownerOf(n) === process.pid)) {
      const file = path.join(this.dir, name);
      let batch: LedgerRow[] = [];
      let lineNo = 0;
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          lineNo++;
          if (!line) continue;
          try { batch.push(JSON.parse(line) as LedgerRow); } catch { this.onCorrupt(file, lineNo); continue; }
          if (batch.length >= batchSize) { await write(batch); done += batch.length; this.rows = Math.max(0, this.rows - batch.length); batch = []; }
        }
        if (batch.length) { await write(batch); done += batch.length; this.rows = Math.max(0, this.rows - batch.length); }
      } finally {
        lines.close();
      }
      await unlink(file);
    }
    return done;
  }

  /** The directory's spill files, oldest first: replay files by their time stamp, then the current ones. */
  private async files(): Promise<string[]> {
    let names: string[];
    try { names = await readdir(this.dir); } catch { return []; }
    const replays = names.filter((n) => REPLAY.test(n)).sort((a, b) => stamp(a) - stamp(b) || a.localeCompare(b));
    const currents = names.filter((n) => n === LEGACY_CURRENT || CURRENT.test(n)).sort();
    return [...replays, ...currents];
  }
}

function stamp(name: string): number {
  return Number(REPLAY.exec(name)?.[1] ?? 0);
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line) n++;
  return n;
}

async function endTornLine(file: string): Promise<void> {
  let handle;
  try { handle = await open(file, 'r+'); } catch { return; }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.write('\n', size);
  } finally {
    await handle.close();
  }
}
