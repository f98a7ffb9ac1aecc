// The operations on teams, users and keys, shared by the admin API, the CLI and proxy_header's
// auto-create: validated input in, views out; every change is announced (so caches on every
// instance drop what changed) and fires its lifecycle hook.
import { GatewayError } from '../../core/index.js';
import type { HookDispatcher } from './hooks.js';
import {
  findKey, findTeam, findUser, insertKey, insertTeam, insertUser, listKeys, listTeams, listUsers, updateKey, updateTeam, updateUser,
  type Changes, type Db, type KeyPatch, type KeyRecord, type TeamRecord, type UserRecord,
} from './identity-store.js';
import type { KeyCreate, KeyUpdate, TeamCreate, TeamUpdate, UserCreate, UserUpdate } from './inputs.js';
import { generateKey, normaliseKeyId } from './key-format.js';
import { parseExpiry } from './names.js';
import { toKeyView, toTeamView, toUserView, type KeyView, type TeamView, type UserView } from './views.js';

export interface IdentityServiceDeps {
  database(): Promise<Db>;
  hooks: HookDispatcher;
  /** Announces a change (local caches, Redis); resolves once it was sent. */
  announce(changes: Partial<Changes>): Promise<void>;
}

export interface CreatedKey extends KeyView {
  /** The key itself: returned this once. */
  key: string;
}

/** A unique index refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*). */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A team, user or key that does not exist: the CLI adds which command makes or lists it. */
export class IdentityNotFound extends GatewayError {
  constructor(readonly what: 'team' | 'user' | 'key', readonly missing: string, param: string) {
    super('SLUICE_E_NOT_FOUND', `no ${what} "${missing}"`, { param });
  }
}

function notFound(what: 'team' | 'user' | 'key', name: string, param: string): GatewayError {
  return new IdentityNotFound(what, name, param);
}

function conflict(what: string, name: string, param: string): GatewayError {
  return new GatewayError('SLUICE_E_INVALID_REQUEST', `${what} "${name}" already exists`, { status: 409, param });
}

export class IdentityService {
  constructor(private readonly deps: IdentityServiceDeps) {}

  private db(): Promise<Db> { return this.deps.database(); }

  private async team(db: Db, name: string, param: string): Promise<TeamRecord> {
    const team = await findTeam(db, name);
    if (!team) throw notFound('team', name, param);
    return team;
  }

  private async user(db: Db, name: string, param: string): Promise<UserRecord> {
    const user = await findUser(db, name);
    if (!user) throw notFound('user', name, param);
    return user;
  }

  private async key(db: Db, id: string, param: string): Promise<KeyRecord> {
    const key = await findKey(db, normaliseKeyId(id));
    if (!key) throw notFound('key', id, param);
    return key;
  }

  // ---- teams -------------------------------------------------------------------------------------

  async addTeam(input: TeamCreate): Promise<TeamView> {
    const db = await this.db();
    if (await findTeam(db, input.name)) throw conflict('team', input.name, 'name');
    let team: TeamRecord;
    try {
      team = await insertTeam(db, input.name, Date.now());
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('team', input.name, 'name');
      throw err;
    }
    await this.deps.announce({ teams: [team.id] });
    return toTeamView(team);
  }

  async listTeams(): Promise<TeamView[]> {
    return (await listTeams(await this.db())).map(toTeamView);
  }

  async getTeam(name: string): Promise<TeamView> {
    return toTeamView(await this.team(await this.db(), name, 'name'));
  }

  async updateTeam(name: string, input: TeamUpdate): Promise<TeamView> {
    const db = await this.db();
    const team = await this.team(db, name, 'name');
    if (input.name !== undefined && input.name !== team.name) {
      if (await findTeam(db, input.name)) throw conflict('team', input.name, 'name');
      await updateTeam(db, team.id, { name: input.name }, Date.now());
      await this.deps.announce({ teams: [team.id] });
    }
    return toTeamView((await findTeam(db, input.name ?? name))!);
  }

  async setTeamDisabled(name: string, disabled: boolean): Promise<TeamView> {
    const db = await this.db();
    const team = await this.team(db, name, 'name');
    if ((team.disabledAt !== null) !== disabled) {
      await updateTeam(db, team.id, { disabled_at: disabled ? Date.now() : null }, Date.now());
      await this.deps.announce({ teams: [team.id] });
    }
    return toTeamView((await findTeam(db, name))!);
  }

  // ---- users -------------------------------------------------------------------------------------

  async addUser(input: UserCreate): Promise<UserView> {
    const db = await this.db();
    const teamId = input.team === undefined ? null : (await this.team(db, input.team, 'team')).id;
    if (await findUser(db, input.name)) throw conflict('user', input.name, 'name');
    let user: UserRecord;
    try {
      user = await insertUser(db, { name: input.name, email: input.email ?? null, team_id: teamId }, Date.now());
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('user', input.name, 'name');
      throw err;
    }
    await this.deps.announce({ users: [user.id], userNames: [user.name] });
    this.deps.hooks.emit('user.created', { user: user.name, team: user.team, email: user.email });
    return toUserView(user);
  }

  /** proxy_header auto-create: the user, created with `team` (made if missing) when unknown. */
  async ensureUser(name: string, team: string | undefined): Promise<UserRecord> {
    const db = await this.db();
    const existing = await findUser(db, name);
    if (existing) return existing;
    let teamId: number | null = null;
    if (team !== undefined) {
      const found = await findTeam(db, team);
      teamId = found ? found.id : await insertTeam(db, team, Date.now()).then((t) => t.id, async (err) => {
        if (!isUniqueViolation(err)) throw err;
        return (await findTeam(db, team))!.id; // another instance made it first
      });
    }
    try {
      const user = await insertUser(db, { name, email: name.includes('@') ? name : null, team_id: teamId }, Date.now());
      await this.deps.announce({ users: [user.id], userNames: [user.name] });
      this.deps.hooks.emit('user.created', { user: user.name, team: user.team, email: user.email, auto_created: true });
      return user;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return (await findUser(db, name))!; // two first requests at once: the other one created it
    }
  }

  async listUsers(filter: { team?: string } = {}): Promise<UserView[]> {
    const db = await this.db();
    const teamId = filter.team === undefined ? undefined : (await this.team(db, filter.team, 'team')).id;
    return (await listUsers(db, teamId === undefined ? {} : { teamId })).map(toUserView);
  }

  async getUser(name: string): Promise<UserView> {
    return toUserView(await this.user(await this.db(), name, 'name'));
  }

  async updateUser(name: string, input: UserUpdate): Promise<UserView> {
    const db = await this.db();
    const user = await this.user(db, name, 'name');
    const patch: { email?: string | null; team_id?: number | null } = {};
    if (input.email !== undefined) patch.email = input.email;
    if (input.team !== undefined) patch.team_id = input.team === null ? null : (await this.team(db, input.team, 'team')).id;
    if (Object.keys(patch).length > 0) {
      await updateUser(db, user.id, patch, Date.now());
      await this.deps.announce({ users: [user.id], userNames: [user.name] });
    }
    return toUserView((await findUser(db, name))!);
  }

  async setUserDisabled(name: string, disabled: boolean): Promise<UserView> {
    const db = await this.db();
    const user = await this.user(db, name, 'name');
    if ((user.disabledAt !== null) !== disabled) {
      await updateUser(db, user.id, { disabled_at: disabled ? Date.now() : null }, Date.now());
      await this.deps.announce({ users: [user.id], userNames: [user.name] });
      if (disabled) this.deps.hooks.emit('user.disabled', { user: user.name, team: user.team });
    }
    return toUserView((await findUser(db, name))!);
  }

  // ---- keys --------------------------------------------------------------------------------------

  async createKey(input: KeyCreate): Promise<CreatedKey> {
    const db = await this.db();
    const user = await this.user(db, input.user, 'user');
    const teamId = input.team === undefined ? null : (await this.team(db, input.team, 'team')).id;
    const now = Date.now();
    const expiresAt = input.expires === undefined ? null : parseExpiry(input.expires, now)!;
    for (let attempt = 0; ; attempt++) {
      const fresh = generateKey();
      try {
        const record = await insertKey(db, {
          id: fresh.id, hash: fresh.hash, name: input.name ?? null, user_id: user.id, team_id: teamId, kind: input.kind,
          models: input.models ?? null, expires_at: expiresAt, rpm: input.rpm ?? null, tpm: input.tpm ?? null,
          budget_daily_usd: input.budget_daily_usd ?? null, budget_monthly_usd: input.budget_monthly_usd ?? null,
        }, now);
        // An instance that was asked for this id before it existed must forget it was unknown.
        await this.deps.announce({ keys: [record.id] });
        const view = toKeyView(record, Date.now());
        this.deps.hooks.emit('key.created', {
          key_id: view.id, name: view.name, user: view.user, team: view.team, kind: view.kind, models: view.models, expires_at: view.expires_at,
        });
        return { ...view, key: fresh.key };
      } catch (err) {
        // A public id drawn twice (8 base62 characters: rare, but possible): draw again.
        if (!isUniqueViolation(err) || attempt >= 4) throw err;
      }
    }
  }

  async listKeys(filter: { user?: string } = {}): Promise<KeyView[]> {
    const db = await this.db();
    const userId = filter.user === undefined ? undefined : (await this.user(db, filter.user, 'user')).id;
    const now = Date.now();
    return (await listKeys(db, userId === undefined ? {} : { userId })).map((k) => toKeyView(k, now));
  }

  async getKey(id: string): Promise<KeyView> {
    return toKeyView(await this.key(await this.db(), id, 'id'), Date.now());
  }

  async updateKey(id: string, input: KeyUpdate): Promise<KeyView> {
    const db = await this.db();
    const key = await this.key(db, id, 'id');
    if (key.revokedAt !== null) throw new GatewayError('SLUICE_E_INVALID_REQUEST', `key "${key.id}" is revoked and cannot change`, { status: 409, param: 'id' });
    const now = Date.now();
    const patch: KeyPatch = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.team !== undefined) patch.team_id = input.team === null ? null : (await this.team(db, input.team, 'team')).id;
    if (input.models !== undefined) patch.models = input.models;
    if (input.expires !== undefined) patch.expires_at = input.expires === null ? null : parseExpiry(input.expires, now)!;
    if (input.rpm !== undefined) patch.rpm = input.rpm;
    if (input.tpm !== undefined) patch.tpm = input.tpm;
    if (input.budget_daily_usd !== undefined) patch.budget_daily_usd = input.budget_daily_usd;
    if (input.budget_monthly_usd !== undefined) patch.budget_monthly_usd = input.budget_monthly_usd;
    if (Object.keys(patch).length > 0) {
      await updateKey(db, key.id, patch, now);
      await this.deps.announce({ keys: [key.id] });
    }
    return toKeyView((await findKey(db, key.id))!, Date.now());
  }

  async revokeKey(id: string): Promise<KeyView> {
    const db = await this.db();
    const key = await this.key(db, id, 'id');
    if (key.revokedAt === null) {
      const now = Date.now();
      await updateKey(db, key.id, { revoked_at: now }, now);
      await this.deps.announce({ keys: [key.id] });
      this.deps.hooks.emit('key.revoked', { key_id: key.id, name: key.name, user: key.user, team: key.team });
    }
    return toKeyView((await findKey(db, key.id))!, Date.now());
  }
}
