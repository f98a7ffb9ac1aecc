// SQL access to teams, users and keys (knex; the same queries on SQLite and PostgreSQL).
import type { CommandHost } from '../../core/index.js';
import { KEYS, TEAMS, USERS } from './migrations.js';
import { normaliseUserName, type KeyKind } from './names.js';

export type Db = Awaited<ReturnType<CommandHost['database']>>;

export interface TeamRecord {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

export interface UserRecord {
  id: number;
  name: string;
  email: string | null;
  teamId: number | null;
  team: string | null;
  teamDisabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

export interface KeyRecord {
  id: string;
  /** Hex SHA-256 of the key. */
  hash: string;
  name: string | null;
  kind: KeyKind;
  userId: number;
  user: string;
  userDisabledAt: number | null;
  /** The key's own team, when it names one. */
  keyTeamId: number | null;
  /** The team the key acts for: its own, else its user's. */
  teamId: number | null;
  team: string | null;
  teamDisabledAt: number | null;
  models: string[] | null;
  expiresAt: number | null;
  rpm: number | null;
  tpm: number | null;
  budgetDailyUsd: number | null;
  budgetMonthlyUsd: number | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

type Row = Record<string, unknown>;

/** PostgreSQL hands bigint columns back as strings; SQLite as numbers. */
function ms(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function teamFrom(r: Row): TeamRecord {
  return { id: Number(r['id']), name: String(r['name']), createdAt: ms(r['created_at'])!, updatedAt: ms(r['updated_at'])!, disabledAt: ms(r['disabled_at']) };
}

function userFrom(r: Row): UserRecord {
  return {
    id: Number(r['id']), name: String(r['name']), email: str(r['email']),
    teamId: num(r['team_id']), team: str(r['team_name']), teamDisabledAt: ms(r['team_disabled_at']),
    createdAt: ms(r['created_at'])!, updatedAt: ms(r['updated_at'])!, disabledAt: ms(r['disabled_at']),
  };
}

function parseModels(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : null;
}

function keyFrom(r: Row): KeyRecord {
  const ownTeam = r['key_team_id'] !== null && r['key_team_id'] !== undefined;
  return {
    id: String(r['id']), hash: String(r['hash']), name: str(r['name']), kind: String(r['kind']) as KeyKind,
    userId: Number(r['user_id']), user: String(r['user_name']), userDisabledAt: ms(r['user_disabled_at']),
    keyTeamId: num(r['key_team_id']),
    teamId: ownTeam ? num(r['key_team_id']) : num(r['user_team_id']),
    team: ownTeam ? str(r['key_team_name']) : str(r['user_team_name']),
    teamDisabledAt: ownTeam ? ms(r['key_team_disabled_at']) : ms(r['user_team_disabled_at']),
    models: parseModels(r['models']),
    expiresAt: ms(r['expires_at']), rpm: num(r['rpm']), tpm: num(r['tpm']),
    budgetDailyUsd: num(r['budget_daily_usd']), budgetMonthlyUsd: num(r['budget_monthly_usd']),
    createdAt: ms(r['created_at'])!, updatedAt: ms(r['updated_at'])!, revokedAt: ms(r['revoked_at']),
  };
}

function usersQuery(db: Db) {
  return db(`${USERS} as u`).leftJoin(`${TEAMS} as t`, 't.id', 'u.team_id')
    .select('u.*', 't.name as team_name', 't.disabled_at as team_disabled_at');
}

function keysQuery(db: Db) {
  return db(`${KEYS} as k`)
    .join(`${USERS} as u`, 'u.id', 'k.user_id')
    .leftJoin(`${TEAMS} as kt`, 'kt.id', 'k.team_id')
    .leftJoin(`${TEAMS} as ut`, 'ut.id', 'u.team_id')
    .select(
      'k.*', 'k.team_id as key_team_id', 'u.name as user_name', 'u.disabled_at as user_disabled_at', 'u.team_id as user_team_id',
      'kt.name as key_team_name', 'kt.disabled_at as key_team_disabled_at', 'ut.name as user_team_name', 'ut.disabled_at as user_team_disabled_at',
    );
}

// ---- teams ---------------------------------------------------------------------------------------

export async function insertTeam(db: Db, name: string, now: number): Promise<TeamRecord> {
  await db(TEAMS).insert({ name, created_at: now, updated_at: now, disabled_at: null });
  return (await findTeam(db, name))!;
}

export async function findTeam(db: Db, name: string): Promise<TeamRecord | undefined> {
  const row = await db(TEAMS).where({ name }).first() as Row | undefined;
  return row ? teamFrom(row) : undefined;
}

export async function listTeams(db: Db): Promise<TeamRecord[]> {
  return (await db(TEAMS).select('*').orderBy('name') as Row[]).map(teamFrom);
}

export async function updateTeam(db: Db, id: number, patch: { name?: string; disabled_at?: number | null }, now: number): Promise<void> {
  await db(TEAMS).where({ id }).update({ ...patch, updated_at: now });
}

// ---- users ---------------------------------------------------------------------------------------

export async function insertUser(db: Db, user: { name: string; email: string | null; team_id: number | null }, now: number): Promise<UserRecord> {
  const name = normaliseUserName(user.name);
  await db(USERS).insert({ ...user, name, email: user.email?.toLowerCase() ?? null, created_at: now, updated_at: now, disabled_at: null });
  return (await findUser(db, name))!;
}

/**
 * The user named `name`, an e-mail address in any case. The exact spelling is tried first: a
 * database from before the rule may hold two spellings of one address (migration 002 leaves them),
 * and the operator must still be able to name each.
 */
export async function findUser(db: Db, name: string): Promise<UserRecord | undefined> {
  let row = await usersQuery(db).where('u.name', name).first() as Row | undefined;
  const normalised = normaliseUserName(name);
  if (!row && normalised !== name) row = await usersQuery(db).where('u.name', normalised).first() as Row | undefined;
  return row ? userFrom(row) : undefined;
}

export async function listUsers(db: Db, filter: { teamId?: number } = {}): Promise<UserRecord[]> {
  const q = usersQuery(db).orderBy('u.name');
  if (filter.teamId !== undefined) q.where('u.team_id', filter.teamId);
  return (await q as Row[]).map(userFrom);
}

export async function updateUser(db: Db, id: number, patch: { email?: string | null; team_id?: number | null; disabled_at?: number | null }, now: number): Promise<void> {
  await db(USERS).where({ id }).update({ ...patch, ...(patch.email ? { email: patch.email.toLowerCase() } : {}), updated_at: now });
}

// ---- keys ----------------------------------------------------------------------------------------

export interface KeyColumns {
  id: string;
  hash: string;
  name: string | null;
  user_id: number;
  team_id: number | null;
  kind: KeyKind;
  models: string[] | null;
  expires_at: number | null;
  rpm: number | null;
  tpm: number | null;
  budget_daily_usd: number | null;
  budget_monthly_usd: number | null;
}

export async function insertKey(db: Db, key: KeyColumns, now: number): Promise<KeyRecord> {
  await db(KEYS).insert({ ...key, models: key.models ? JSON.stringify(key.models) : null, created_at: now, updated_at: now, revoked_at: null });
  return (await findKey(db, key.id))!;
}

export async function findKey(db: Db, id: string): Promise<KeyRecord | undefined> {
  const row = await keysQuery(db).where('k.id', id).first() as Row | undefined;
  return row ? keyFrom(row) : undefined;
}

export async function listKeys(db: Db, filter: { userId?: number } = {}): Promise<KeyRecord[]> {
  const q = keysQuery(db).orderBy('k.created_at').orderBy('k.id');
  if (filter.userId !== undefined) q.where('k.user_id', filter.userId);
  return (await q as Row[]).map(keyFrom);
}

export type KeyPatch = Partial<Omit<KeyColumns, 'id' | 'hash' | 'user_id' | 'kind'>> & { revoked_at?: number };

export async function updateKey(db: Db, id: string, patch: KeyPatch, now: number): Promise<void> {
  const row: Row = { ...patch, updated_at: now };
  if ('models' in patch) row['models'] = patch.models ? JSON.stringify(patch.models) : null;
  await db(KEYS).where({ id }).update(row);
}

// ---- change feed ---------------------------------------------------------------------------------

export interface Changes {
  keys: string[];
  users: number[];
  /** Names of the changed users: a user created elsewhere must stop being "unknown" here. */
  userNames: string[];
  teams: number[];
}

/** Ids of everything changed after `since` (epoch ms): what other processes did to the tables. */
export async function changedSince(db: Db, since: number): Promise<Changes> {
  const [keys, users, teams] = await Promise.all([
    db(KEYS).where('updated_at', '>', since).pluck('id'),
    db(USERS).where('updated_at', '>', since).select('id', 'name'),
    db(TEAMS).where('updated_at', '>', since).pluck('id'),
  ]) as [unknown[], Row[], unknown[]];
  return { keys: keys.map(String), users: users.map((u) => Number(u['id'])), userNames: users.map((u) => String(u['name'])), teams: teams.map(Number) };
}
