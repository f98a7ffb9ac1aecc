// Rows that could not be written wait here, one JSON object a line, until the database is back.
// Appends go to this process's own `ledger-spill-<pid>@<start>.jsonl`; a replay first renames it (so new
// spills never mix into a file being read), writes each renamed file in batches and deletes it once
// all of it is in. A replay cut short leaves its file for the next one: inserts are idempotent by
// request id, so rows already written are skipped. A torn last line (a crash mid-append) is skipped
// and logged.
//
// Instances on one host may share the directory (two `sluice start --port` from one config): each
// writes and replays only its own files, and takes over those of a process that is gone — claimed by
// an atomic rename, so two survivors never replay one file — but never a live one's, whose appends
// could otherwise land in a file already read.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { makeDirSync } from '../../core/index.js';
import type { LedgerRow } from './row.js';

/** An earlier version's one shared file: anyone's to take over. */
const LEGACY_CURRENT = 'ledger-spill.jsonl';
/** `ledger-spill-<owner>.<database>.jsonl`, the owner `<pid>@<start>` (Linux) or `<pid>`; an earlier version's have no database tag. */
const CURRENT = /^ledger-spill-(\d+)(?:@(\d+))?(?:\.([0-9a-f]{12}))?\.jsonl$/;
/** `ledger-spill.replay-<time>-<owner>-<serial>.<database>.jsonl`; an earlier version's have no owner, or no database tag. */
const REPLAY = /^ledger-spill\.replay-(\d+)-(\d+)(?:@(\d+))?(?:-(\d+))?(?:\.([0-9a-f]{12}))?\.jsonl$/;


/** The database tag in a spill file's name; undefined for a file without one (anyone's). */
const databaseTagOf = (name: string): string | undefined => CURRENT.exec(name)?.[3] ?? REPLAY.exec(name)?.[5];

/**
 * Who wrote a file: a pid, and on Linux the process's start (clock ticks since boot, /proc/<pid>/stat),
 * so that a pid reused by another process — after a reboot, a container restart, or just a busy
 * host — does not pass for the writer still running, which would leave its rows unreplayed.
 */
interface Owner { pid: number; start: string | undefined }

/** A process's start and whether it has ended (a zombie not yet reaped), from /proc; undefined when there is none to read. */
function procStat(pid: number): { start: string; ended: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    return { start: fields[19]!, ended: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return undefined;
  }
}

const SELF: Owner = { pid: process.pid, start: procStat(process.pid)?.start };
const isSelf = (o: Owner) => o.pid === SELF.pid && o.start === SELF.start;

/** Whether the process that owns a file is still running (on this host). */
function alive(owner: Owner): boolean {
  if (isSelf(owner)) return true;
  const stat = procStat(owner.pid);
  if (stat) return !stat.ended && (owner.start === undefined || owner.start === stat.start);
  if (existsSync('/proc/self/stat')) return false; // Linux, and no such process
  try { process.kill(owner.pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Who a spill file belongs to; undefined for an earlier version's (nobody's). */
function ownerOf(name: string): Owner | undefined {
  const current = CURRENT.exec(name);
  if (current) return { pid: Number(current[1]), start: current[2] };
  const replay = REPLAY.exec(name);
  return replay?.[4] !== undefined ? { pid: Number(replay[2]), start: replay[3] } : undefined;
}

/** This process's name in its files. */
const SELF_NAME = SELF.start === undefined ? String(SELF.pid) : `${SELF.pid}@${SELF.start}`;

export class SpillFile {
  /** Rows on disk waiting for the database (counted from the files at start, then kept up to date). */
  rows = 0;
  private serial = 0;
  private ready: Promise<void> | undefined;
  /** This process's own file (in `dir`). */
  readonly current: string;
  /**
   * `.<tag>` of the database the rows are for (a hash of it: never the URL, which may hold a
   * password), or '' when not told. Two configs in one directory share the default spill_dir
   * (config/sluice.yaml on SQLite, config/team.yaml on PostgreSQL): without it, one database's rows,
   * left by a gateway that stopped, were replayed into the other's by the next gateway to start.
   */
  private readonly suffix: string;

  constructor(readonly dir: string, private readonly onCorrupt: (file: string, line: number) => void, database?: string) {
    this.suffix = database === undefined ? '' : `.${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
    this.current = `ledger-spill-${SELF_NAME}${this.suffix}.jsonl`;
  }

  /** Whether a file's rows are for this writer's database: its tag, or none (an earlier version's; or this writer was not told its database). */
  private ours(name: string): boolean {
    const tag = databaseTagOf(name);
    return tag === undefined || this.suffix === '' || `.${tag}` === this.suffix;
  }

  /** The directory, made once (on first use: setup makes nothing). */
  private dirMade(): Promise<void> {
    return (this.ready ??= Promise.resolve().then(() => makeDirSync(this.dir)));
  }

  /** Counts what earlier runs left behind (files of live processes sharing the directory are theirs). */
  async open(): Promise<void> {
    await this.dirMade();
    this.rows = 0;
    for (const file of await this.files()) {
      if (!this.ours(file)) continue;
      const owner = ownerOf(file);
      if (owner === undefined || !alive(owner) || isSelf(owner)) this.rows += await countLines(path.join(this.dir, file));
    }
    // Where the start cannot be read, a restart can get its crashed predecessor's name (a
    // container's process is pid 1 every time): end a torn last line in that file, so the next row
    // is not glued onto it. A disk too full for that one byte takes no appends either: not fatal.
    await endTornLine(path.join(this.dir, this.current)).catch(() => undefined);
  }

  /**
   * Appends rows, one line each. A write the disk cuts short (full, or over a size limit) keeps the
   * whole lines that landed, counted as waiting, and takes the torn end off again — left there, the
   * next append would be glued onto it and that row lost with it — then throws a SpillCutShort
   * saying how many rows did land.
   */
  async append(rows: readonly LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dirMade();
    let text = '';
    for (const r of rows) text += `${JSON.stringify(r)}\n`;
    const handle = await open(path.join(this.dir, this.current), 'a');
    try {
      const before = (await handle.stat()).size;
      try {
        await handle.appendFile(text);
      } catch (err) {
        const landed = await keepWholeLines(handle, before, Buffer.from(text)).catch(() => 0);
        this.rows += landed;
        throw new SpillCutShort(landed, err);
      }
      this.rows += rows.length;
    } finally {
      await handle.close();
    }
  }

  /**
   * Hands every waiting row to `write`, batch by batch, oldest first; stops at the first failure
   * (rethrown). Returns the rows replayed.
   */
  async replay(batchSize: number, write: (rows: LedgerRow[]) => Promise<void>): Promise<number> {
    await this.dirMade();
    // Claim this process's own file, and whatever a process that is gone left: renamed to this
    // process's replay names, so no one else reads them and no append can land in them.
    for (const name of await this.files()) {
      if (!this.ours(name)) continue;
      const owner = ownerOf(name);
      const mine = owner !== undefined && isSelf(owner);
      if ((mine && REPLAY.test(name)) || (owner !== undefined && !mine && alive(owner))) continue;
      try {
        await rename(path.join(this.dir, name), path.join(this.dir, `ledger-spill.replay-${Date.now()}-${SELF_NAME}-${this.serial++}${this.suffix}.jsonl`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // another survivor took it
      }
    }
    let done = 0;
    for (const name of (await this.files()).filter((n) => { const o = REPLAY.test(n) ? ownerOf(n) : undefined; return o !== undefined && isSelf(o) && this.ours(n); })) {
      const file = path.join(this.dir, name);
      let batch: LedgerRow[] = [];
      let lineNo = 0;
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          lineNo++;
          if (!line) continue;
          try {
            batch.push(JSON.parse(line) as LedgerRow);
          } catch {
            this.onCorrupt(file, lineNo);
            this.rows = Math.max(0, this.rows - 1); // counted as waiting when the file was counted; it never will be written
            continue;
          }
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

/** An append the disk cut short: `landed` whole rows are in the file (and waiting), the rest are not. */
export class SpillCutShort extends Error {
  constructor(readonly landed: number, cause: unknown) {
    super(`the spill file took ${landed} of the rows: ${(cause as Error).message}`, { cause });
  }
}

/**
 * After a cut-short append of `text` at `before`: truncates the file to the last whole line that
 * landed (truncating needs no free space) and returns how many lines that is.
 */
async function keepWholeLines(handle: FileHandle, before: number, text: Buffer): Promise<number> {
  const written = Math.min(Math.max(0, (await handle.stat()).size - before), text.length);
  const landed = text.subarray(0, written);
  const keep = landed.lastIndexOf(0x0a) + 1; // 0 when not even one line landed
  if (keep < written) await handle.truncate(before + keep);
  let lines = 0;
  for (let i = landed.indexOf(0x0a); i >= 0; i = landed.indexOf(0x0a, i + 1)) lines++;
  return lines;
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
