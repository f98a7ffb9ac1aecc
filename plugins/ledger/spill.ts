// Rows that could not be written wait here, one JSON object a line, until the database is back.
// Appends go to `ledger-spill.jsonl`; a replay first renames it (so new spills never mix into a file
// being read), writes each renamed file in batches and deletes it once all of it is in. A replay
// cut short leaves its file for the next one: inserts are idempotent by request id, so rows already
// written are skipped. A torn last line (a crash mid-append) is skipped and logged.
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerRow } from './row.js';

const CURRENT = 'ledger-spill.jsonl';
const REPLAY = /^ledger-spill\.replay-\d+-\d+\.jsonl$/;

export class SpillFile {
  /** Rows on disk waiting for the database (counted from the files at start, then kept up to date). */
  rows = 0;
  private serial = 0;
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string, private readonly onCorrupt: (file: string, line: number) => void) {}

  /** Counts what an earlier run left behind. */
  async open(): Promise<void> {
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    this.rows = 0;
    for (const file of await this.files(true)) this.rows += await countLines(path.join(this.dir, file));
    // A crash mid-append leaves a torn last line: end it, so the next row is not glued onto it.
    await endTornLine(path.join(this.dir, CURRENT));
  }

  async append(rows: readonly LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    let text = '';
    for (const r of rows) text += `${JSON.stringify(r)}\n`;
    await appendFile(path.join(this.dir, CURRENT), text);
    this.rows += rows.length;
  }

  /**
   * Hands every waiting row to `write`, batch by batch, oldest first; stops at the first failure
   * (rethrown). Returns the rows replayed.
   */
  async replay(batchSize: number, write: (rows: LedgerRow[]) => Promise<void>): Promise<number> {
    await (this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined));
    try {
      await rename(path.join(this.dir, CURRENT), path.join(this.dir, `ledger-spill.replay-${Date.now()}-${this.serial++}.jsonl`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let done = 0;
    for (const name of await this.files(false)) {
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

  private async files(includeCurrent: boolean): Promise<string[]> {
    let names: string[];
    try { names = await readdir(this.dir); } catch { return []; }
    // Oldest first: the replay files sort by their time stamp, and the current file comes last.
    const replays = names.filter((n) => REPLAY.test(n)).sort((a, b) => stamp(a) - stamp(b) || a.localeCompare(b));
    return includeCurrent && names.includes(CURRENT) ? [...replays, CURRENT] : replays;
  }
}

function stamp(name: string): number {
  return Number(/replay-(\d+)-/.exec(name)?.[1] ?? 0);
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
