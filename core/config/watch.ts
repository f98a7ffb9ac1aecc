// `server.watch_config`: a change to the config file on disk asks for the same reload as SIGHUP
// (start.ts hands both the same function), so it is as atomic, and as all-or-nothing, and a file
// that does not validate is logged and leaves the running config alone.
//
// What editors and tools do to a file decides the design:
// - They write in steps (truncate, then write; write a temp file, then rename it over the file), so
//   the events of one save are gathered: the file is read once it has been quiet for `debounceMs`.
// - A rename replaces the file's inode, and a watch on the file itself would keep watching the old
//   one: the directory is watched, which outlives any replacement of the file in it.
// - An editor that saves without changing anything, `touch`, or a second event of one save must not
//   reload: the content's SHA-256 is compared with the last content seen.
// - Kubernetes mounts a ConfigMap as a symlink into a directory swapped by renaming `..data`: when
//   the config is a symlink, every event in its directory (and in its target's) is a reason to read
//   it; the hash keeps that cheap and silent.
import { lstatSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../observability/logger.js';
import { configDigest } from './load.js';

/** How long the file must stay quiet before it is read: longer than one save's steps, short enough to feel at once. */
export const CONFIG_WATCH_DEBOUNCE_MS = 200;
/** How often a directory watch that failed (the directory was removed, say) is tried again. */
const REARM_MS = 2000;

export interface ConfigWatchOptions {
  file: string;
  /** The digest of the content the gateway runs (loaded.digest): an event that leaves it so reloads nothing. */
  digest: string;
  /** The reload (the same as SIGHUP's); it logs its own outcome and does not throw. */
  reload: () => Promise<void>;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  debounceMs?: number;
}

export interface ConfigWatch {
  close(): void;
}

export function watchConfigFile(opts: ConfigWatchOptions): ConfigWatch {
  const file = path.resolve(opts.file);
  const debounceMs = opts.debounceMs ?? CONFIG_WATCH_DEBOUNCE_MS;
  const { logger } = opts;
  const base = path.basename(file);
  let symlinked = false;
  try { symlinked = lstatSync(file).isSymbolicLink(); } catch { /* read at the first event */ }
  const dirs = new Set([path.dirname(file)]);
  if (symlinked) {
    try { dirs.add(path.dirname(realpathSync(file))); } catch { /* a dangling link: its own directory will do */ }
  }
  // Any event may concern a symlinked config (its target changes elsewhere); otherwise only events
  // naming the file, or naming nothing (some platforms do not say which entry changed).
  const concerns = (name: string | Buffer | null) => symlinked || name === null || name.toString() === base;

  let seen = opts.digest;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  /** A check is running; another event meanwhile means one more check after it. */
  let checking = false;
  let again = false;
  const watchers = new Map<string, FSWatcher>();
  const rearms = new Set<NodeJS.Timeout>();

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void check(); }, debounceMs);
    timer.unref();
  };

  const check = async (): Promise<void> => {
    if (checking) { again = true; return; }
    checking = true;
    try {
      let text: Buffer;
      try {
        text = await readFile(file);
      } catch (err) {
        // Between an unlink and the rename that brings the new file, or removed for good: the next
        // event (the rename) reads it again; the running config stays meanwhile.
        logger.debug('config file not readable; waiting for it to be written', { file, error: (err as NodeJS.ErrnoException).code ?? String(err) });
        return;
      }
      // Truncated and not yet written: not a config anyone means to apply (it would be refused,
      // with an error log for a save in progress). The write that follows is another event.
      if (text.toString('utf8').trim() === '') { logger.debug('config file empty; waiting for it to be written', { file }); return; }
      const digest = configDigest(text);
      if (digest === seen) { logger.debug('config file written but unchanged; not reloading', { file }); return; }
      // Recorded before the reload, whatever its outcome: a refused file is refused once, not again
      // at every event until it is fixed.
      seen = digest;
      if (closed) return;
      logger.info('config file changed; reloading', { file });
      await opts.reload();
    } finally {
      checking = false;
      if (again && !closed) { again = false; schedule(); }
    }
  };

  const arm = (dir: string): boolean => {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => { if (concerns(name)) schedule(); });
      w.on('error', (err) => {
        // The directory went away or became unreadable: keep trying, since it may come back (a
        // volume remounted); SIGHUP still reloads meanwhile.
        w.close();
        watchers.delete(dir);
        logger.warn('config file watch lost; trying again (SIGHUP still reloads)', { dir, error: err.message });
        rearm(dir);
      });
      watchers.set(dir, w);
      return true;
    } catch (err) {
      logger.warn('cannot watch the config file\'s directory; trying again (SIGHUP still reloads)', { dir, error: (err as Error).message });
      return false;
    }
  };
  const rearm = (dir: string) => {
    if (closed) return;
    const t = setTimeout(() => {
      rearms.delete(t);
      if (closed) return;
      // The file may have changed while nobody watched.
      if (arm(dir)) { logger.info('config file watch restored', { dir }); schedule(); } else rearm(dir);
    }, REARM_MS);
    t.unref();
    rearms.add(t);
  };

  for (const dir of dirs) if (!arm(dir)) rearm(dir);
  logger.info('watching the config file for changes', { file });
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const t of rearms) clearTimeout(t);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
