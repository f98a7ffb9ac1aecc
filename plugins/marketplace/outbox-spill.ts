// Usage records the outbox table could not take (the database down at a failed insert, or at
// shutdown) wait here on local disk until it is back; the next insert that works — in this process,
// or the next one to start — writes them first. Each save is a file of its own, one JSON record a
// line, written under a temporary name and renamed, so a file is whole once it is visible and never
// appended to afterwards: any process may replay and delete any of them. Inserts are idempotent by
// record id, so two processes replaying one file, or a replay cut short, write nothing twice.
//
// Files are tagged with the database they are for (core's spillDatabase), so two configs sharing
// the directory never replay one database's records into the other's outbox.
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { makeDirSync } from '../../core/index.js';
import type { UsageRecord } from './protocol.js';

/** `marketplace-outbox-<time>-<pid>-<serial>.<database>.jsonl`, oldest first by name's time. */
const FILE = /^marketplace-outbox-(\d+)-(\d+)-(\d+)\.([0-9a-f]{12})\.jsonl$/;

export class OutboxSpill {
  private serial = 0;
  private readonly tag: string;
  private made = false;

  /** `database`: the storage's identity (spillDatabase), never a URL with its password. */
  constructor(readonly dir: string, database: string, private readonly onCorrupt: (file: string, line: number) => void) {
    this.tag = createHash('sha256').update(database).digest('hex').slice(0, 12);
  }

  /** Writes records to a new file (flushed to the disk before it is visible). Throws when the disk does not take them. */
  async save(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.made) { makeDirSync(this.dir); this.made = true; }
    const name = `marketplace-outbox-${Date.now()}-${process.pid}-${this.serial++}.${this.tag}.jsonl`;
    const temp = path.join(this.dir, `.${name}.tmp`);
    let text = '';
    for (const r of records) text += `${JSON.stringify(r)}\n`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await handle.close();
    await rename(temp, path.join(this.dir, name));
  }

  /** Records waiting in this database's files (for `sluice marketplace status`). */
  async count(): Promise<number> {
    let n = 0;
    for (const name of await this.files()) {
      const text = await readFile(path.join(this.dir, name), 'utf8').catch(() => '');
      for (const line of text.split('\n')) if (line) n++;
    }
    return n;
  }

  /**
   * Hands every waiting record to `write`, file by file, oldest first, in batches; a file is deleted
   * once all of it is written. Stops at the first failure (rethrown). Returns the records written.
   */
  async replay(batchSize: number, write: (records: UsageRecord[]) => Promise<void>): Promise<number> {
    let done = 0;
    for (const name of await this.files()) {
      const file = path.join(this.dir, name);
      let text: string;
      try { text = await readFile(file, 'utf8'); } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process replayed it
        throw err;
      }
      const records: UsageRecord[] = [];
      text.split('\n').forEach((line, i) => {
        if (!line) return;
        try { records.push(JSON.parse(line) as UsageRecord); } catch { this.onCorrupt(file, i + 1); }
      });
      for (let i = 0; i < records.length; i += batchSize) await write(records.slice(i, i + batchSize));
      done += records.length;
      await unlink(file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
    }
    return done;
  }

  private async files(): Promise<string[]> {
    let names: string[];
    try { names = await readdir(this.dir); } catch { return []; }
    const mine = names.map((n) => ({ n, m: FILE.exec(n) })).filter((f) => f.m?.[4] === this.tag);
    return mine.sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || a.n.localeCompare(b.n)).map((f) => f.n);
  }
}
