// How teams, users and keys look to the outside (admin API, CLI --json, hook events). Never a key
// or its hash: a key is shown by its public id.
import { z } from '../../core/index.js';
import type { KeyRecord, TeamRecord, UserRecord } from './identity-store.js';

const time = z.string().describe('ISO 8601');
const nullableTime = time.nullable();

export const teamView = z.object({
  name: z.string(),
  status: z.enum(['active', 'disabled']),
  created_at: time, updated_at: time, disabled_at: nullableTime,
});
export const userView = z.object({
  name: z.string(),
  email: z.string().nullable(),
  team: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  created_at: time, updated_at: time, disabled_at: nullableTime,
});
export const keyStatus = z.enum(['active', 'revoked', 'expired', 'user_disabled', 'team_disabled']);
export const keyView = z.object({
  id: z.string().describe('Public id: the first characters after sk-sluice-.'),
  name: z.string().nullable(),
  user: z.string(),
  team: z.string().nullable(),
  kind: z.enum(['user', 'service', 'marketplace']),
  models: z.array(z.string()).nullable(),
  expires_at: nullableTime,
  rpm: z.number().nullable(),
  tpm: z.number().nullable(),
  budget_daily_usd: z.number().nullable(),
  budget_monthly_usd: z.number().nullable(),
  status: keyStatus,
  created_at: time, updated_at: time, revoked_at: nullableTime,
});
export const createdKeyView = keyView.extend({ key: z.string().describe('The key itself: shown this once, never again.') });

export type TeamView = z.output<typeof teamView>;
export type UserView = z.output<typeof userView>;
export type KeyView = z.output<typeof keyView>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toTeamView(t: TeamRecord): TeamView {
  return { name: t.name, status: t.disabledAt === null ? 'active' : 'disabled', created_at: iso(t.createdAt), updated_at: iso(t.updatedAt), disabled_at: isoOrNull(t.disabledAt) };
}

export function toUserView(u: UserRecord): UserView {
  return {
    name: u.name, email: u.email, team: u.team, status: u.disabledAt === null ? 'active' : 'disabled',
    created_at: iso(u.createdAt), updated_at: iso(u.updatedAt), disabled_at: isoOrNull(u.disabledAt),
  };
}

export function keyStatusOf(k: KeyRecord, now: number): KeyView['status'] {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  if (k.userDisabledAt !== null) return 'user_disabled';
  if (k.teamDisabledAt !== null) return 'team_disabled';
  return 'active';
}

export function toKeyView(k: KeyRecord, now: number): KeyView {
  return {
    id: k.id, name: k.name, user: k.user, team: k.team, kind: k.kind, models: k.models,
    expires_at: isoOrNull(k.expiresAt), rpm: k.rpm, tpm: k.tpm,
    budget_daily_usd: k.budgetDailyUsd, budget_monthly_usd: k.budgetMonthlyUsd,
    status: keyStatusOf(k, now),
    created_at: iso(k.createdAt), updated_at: iso(k.updatedAt), revoked_at: isoOrNull(k.revokedAt),
  };
}
