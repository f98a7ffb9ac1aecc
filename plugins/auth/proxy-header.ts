// proxy_header: the identity an authenticating reverse proxy (oauth2-proxy, Pomerium, a cloud LB…)
// puts in a header, believed only when the TCP peer is one of `trusted_proxies` — anyone else
// could simply send the header. Users come from the same table as for keys (disabled users fail);
// unknown users get 401 unless `auto_create` adds them on first sight.
import type { BlockList } from 'node:net';
import { containsAddress, type ArrivingRequest, type Principal } from '../../core/index.js';
import { CachedLookup, type CachedLookupOptions } from './cached-lookup.js';
import type { Changes, TeamRecord, UserRecord } from './identity-store.js';
import { AuthFailure } from './key-verifier.js';
import { normaliseUserName, teamName, userName } from './names.js';
import { principalForUser } from './principal.js';

export interface ProxyHeaderSettings {
  header: string;
  groupsHeader: string | undefined;
  trusted: BlockList;
  /** Creates (or finds) the user; undefined when unknown users are refused. */
  autoCreate: ((name: string) => Promise<UserRecord>) | undefined;
}

interface CachedUser {
  record: UserRecord;
  /** The principal when the proxy names no team. */
  principal: Principal;
}

function headerValue(exchange: Pick<ArrivingRequest, 'headers'>, name: string): string | undefined {
  const value = exchange.headers[name];
  if (Array.isArray(value)) throw new AuthFailure('invalid_identity'); // two identities: believe neither
  return typeof value === 'string' ? value.trim() : undefined;
}

export interface IdentityLookups {
  findUser(name: string): Promise<UserRecord | undefined>;
  findTeam(name: string): Promise<TeamRecord | undefined>;
}

export class ProxyHeaderAuthenticator {
  private readonly users: CachedLookup<CachedUser>;
  /** Teams the groups header names, for their disabled flag (a team Sluice does not know is a label). */
  private readonly teams: CachedLookup<TeamRecord>;

  constructor(
    private readonly settings: ProxyHeaderSettings,
    lookups: IdentityLookups,
    opts: CachedLookupOptions,
    onStale?: (error: unknown) => void,
  ) {
    this.users = new CachedLookup(async (name) => {
      const record = await lookups.findUser(name);
      return record && { record, principal: principalForUser(record, undefined) };
    }, opts, onStale);
    this.teams = new CachedLookup((name) => lookups.findTeam(name), opts, onStale);
  }

  authenticate(exchange: Pick<ArrivingRequest, 'headers' | 'peerAddress'>): Principal | Promise<Principal> {
    if (!containsAddress(this.settings.trusted, exchange.peerAddress)) throw new AuthFailure('untrusted_peer');
    const given = headerValue(exchange, this.settings.header);
    if (!given) throw new AuthFailure('missing_identity');
    if (!userName.safeParse(given).success) throw new AuthFailure('invalid_identity');
    // One cache entry, one user, however the proxy capitalises the address.
    const name = normaliseUserName(given);
    const team = this.teamFrom(exchange);
    const found = this.users.get(name);
    if (found instanceof Promise) return found.then((user) => this.resolve(user, name, team), (err) => { throw err instanceof AuthFailure ? err : new AuthFailure('unavailable'); });
    return this.resolve(found, name, team);
  }

  private teamFrom(exchange: Pick<ArrivingRequest, 'headers'>): string | undefined {
    if (!this.settings.groupsHeader) return undefined;
    const groups = headerValue(exchange, this.settings.groupsHeader);
    const first = groups?.split(',')[0]?.trim();
    return first && teamName.safeParse(first).success ? first : undefined;
  }

  private resolve(user: CachedUser | null, name: string, team: string | undefined): Principal | Promise<Principal> {
    if (!user) {
      if (!this.settings.autoCreate) throw new AuthFailure('unknown_user');
      return this.settings.autoCreate(name).then(
        (record) => this.admit({ record, principal: principalForUser(record, undefined) }, team),
        () => { throw new AuthFailure('unavailable'); },
      );
    }
    return this.admit(user, team);
  }

  private admit(user: CachedUser, team: string | undefined): Principal | Promise<Principal> {
    if (user.record.disabledAt !== null) throw new AuthFailure('user_disabled');
    if (user.record.teamDisabledAt !== null) throw new AuthFailure('team_disabled');
    if (team === undefined || team === user.record.team) return user.principal;
    // The request's team is the proxy's first group: a team disabled here refuses it, as it
    // refuses its members when it is their stored team.
    const found = this.teams.get(team);
    const admitIn = (record: TeamRecord | null): Principal => {
      if (record?.disabledAt != null) throw new AuthFailure('team_disabled');
      return principalForUser(user.record, team);
    };
    return found instanceof Promise ? found.then(admitIn, (err) => { throw err instanceof AuthFailure ? err : new AuthFailure('unavailable'); }) : admitIn(found);
  }

  invalidate(changes: Partial<Changes>): void {
    const users = new Set(changes.users ?? []);
    const teams = new Set(changes.teams ?? []);
    this.users.invalidate(
      ({ record }) => users.has(record.id) || (record.teamId !== null && teams.has(record.teamId)),
      changes.userNames ?? [],
    );
    // Team changes are rare and name no names (a team created since may be cached as unknown).
    if (teams.size > 0) this.teams.clear();
  }

  clear(): void { this.users.clear(); this.teams.clear(); }
}
