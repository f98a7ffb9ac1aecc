// api_key verification: credential → Principal, from the cache when warm (no database round trip),
// constant-time digest comparison, one failure for every reason (the reason goes to the log only).
import type { Principal } from '../../core/index.js';
import { CachedLookup, type CachedLookupOptions } from './cached-lookup.js';
import type { Changes, KeyRecord } from './identity-store.js';
import { digestsEqual, hashKey, isKeyShaped, keyIdOf } from './key-format.js';
import { principalForKey } from './principal.js';

export type DenyReason =
  | 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'user_disabled' | 'team_disabled'
  | 'untrusted_peer' | 'missing_identity' | 'invalid_identity' | 'unknown_user';

/** Why a request is refused. `unavailable`: the database could not tell (not the client's fault). */
export class AuthFailure extends Error {
  constructor(readonly reason: DenyReason | 'unavailable', readonly keyId?: string) {
    super(reason);
    this.name = 'AuthFailure';
  }
}

interface VerifiedKey {
  record: KeyRecord;
  hash: Buffer;
  principal: Principal;
}

function verdict(key: VerifiedKey, digest: Buffer, id: string, now: number): Principal {
  if (!digestsEqual(key.hash, digest)) throw new AuthFailure('unknown', id);
  const r = key.record;
  if (r.revokedAt !== null) throw new AuthFailure('revoked', id);
  if (r.userDisabledAt !== null) throw new AuthFailure('user_disabled', id);
  if (r.teamDisabledAt !== null) throw new AuthFailure('team_disabled', id);
  if (r.expiresAt !== null && r.expiresAt <= now) throw new AuthFailure('expired', id);
  return key.principal;
}

export class KeyVerifier {
  private readonly keys: CachedLookup<VerifiedKey>;

  constructor(findKey: (id: string) => Promise<KeyRecord | undefined>, opts: CachedLookupOptions, onStale?: (error: unknown) => void) {
    this.keys = new CachedLookup(async (id) => {
      const record = await findKey(id);
      return record && { record, hash: Buffer.from(record.hash, 'hex'), principal: principalForKey(record) };
    }, opts, onStale);
  }

  /** The key's principal (synchronously when cached); throws AuthFailure. */
  verify(credential: string | undefined): Principal | Promise<Principal> {
    if (credential === undefined) throw new AuthFailure('missing');
    if (!isKeyShaped(credential)) throw new AuthFailure('malformed');
    const id = keyIdOf(credential);
    const digest = hashKey(credential);
    const found = this.keys.get(id);
    if (found instanceof Promise) return found.then((key) => this.check(key, digest, id), (err) => { throw failureFrom(err, id); });
    return this.check(found, digest, id);
  }

  private check(key: VerifiedKey | null, digest: Buffer, id: string): Principal {
    if (!key) throw new AuthFailure('unknown', id);
    return verdict(key, digest, id, Date.now());
  }

  /** Forgets what changed, so the next request reads it again. */
  invalidate(changes: Partial<Changes>): void {
    const users = new Set(changes.users ?? []);
    const teams = new Set(changes.teams ?? []);
    this.keys.invalidate(
      ({ record }) => users.has(record.userId) || (record.teamId !== null && teams.has(record.teamId)),
      changes.keys ?? [],
    );
  }

  clear(): void { this.keys.clear(); }
  get size(): number { return this.keys.size; }
}

function failureFrom(err: unknown, id: string): AuthFailure {
  return err instanceof AuthFailure ? err : new AuthFailure('unavailable', id);
}
