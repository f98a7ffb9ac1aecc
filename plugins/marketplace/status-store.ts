// The sync status the running gateway writes and `sluice marketplace status` reads: per kind (push,
// pull, publish, offers) the last attempt, its result, and the last success. Kept in the database so
// the command (another process) sees what the gateway did.
import type { Knex } from 'knex';
import { STATUS_TABLE } from './migrations.js';

export type StatusKind = 'push' | 'pull' | 'publish' | 'offers';

export interface StatusEntry {
  kind: StatusKind;
  timeMs: number;
  ok: boolean;
  /** accepted, not_modified, throttled, server_error, timeout, unreachable, refused, … */
  result: string;
  /** A short text or JSON (the offers in use). */
  detail: string | null;
  lastOkMs: number | null;
}

interface StatusRow { kind: string; time_ms: number | string; ok: number | string; result: string; detail: string | null; last_ok_ms: number | string | null }

export async function writeStatus(knex: Knex, kind: StatusKind, ok: boolean, result: string, detail: string | null, now = Date.now()): Promise<void> {
  const row = { kind, time_ms: now, ok: ok ? 1 : 0, result: result.slice(0, 64), detail, last_ok_ms: ok ? now : null };
  // A failure keeps the last success's time; a success moves it.
  const merge: Record<string, unknown> = { time_ms: now, ok: row.ok, result: row.result, detail };
  if (ok) merge['last_ok_ms'] = now;
  await knex(STATUS_TABLE).insert(row).onConflict('kind').merge(merge);
}

export async function readStatus(knex: Knex): Promise<Map<StatusKind, StatusEntry>> {
  const rows = await knex(STATUS_TABLE).select<StatusRow[]>('*');
  const out = new Map<StatusKind, StatusEntry>();
  for (const r of rows) {
    out.set(r.kind as StatusKind, {
      kind: r.kind as StatusKind, timeMs: Number(r.time_ms), ok: Number(r.ok) === 1, result: r.result, detail: r.detail,
      lastOkMs: r.last_ok_ms === null ? null : Number(r.last_ok_ms),
    });
  }
  return out;
}
