// Principals built once per cached key or user and frozen: every request with that key shares the
// object (no allocation on the hot path), and no plugin can change who the next request is.
import type { Principal } from '../../core/index.js';
import type { KeyRecord, UserRecord } from './identity-store.js';

export const ANONYMOUS: Principal = Object.freeze({ user: 'anonymous' });

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner as object);
  return Object.freeze(value);
}

export function principalForKey(key: KeyRecord): Principal {
  const principal: Principal = { user: key.user, keyId: key.id, keyKind: key.kind };
  if (key.team !== null) principal.team = key.team;
  if (key.models !== null) principal.allowedModels = key.models;
  if (key.rpm !== null || key.tpm !== null) {
    principal.limits = {};
    if (key.rpm !== null) principal.limits.rpm = key.rpm;
    if (key.tpm !== null) principal.limits.tpm = key.tpm;
  }
  if (key.budgetDailyUsd !== null || key.budgetMonthlyUsd !== null) {
    principal.budget = {};
    if (key.budgetDailyUsd !== null) principal.budget.dailyUsd = key.budgetDailyUsd;
    if (key.budgetMonthlyUsd !== null) principal.budget.monthlyUsd = key.budgetMonthlyUsd;
  }
  if (key.expiresAt !== null) principal.expiresAt = new Date(key.expiresAt);
  return deepFreeze(principal);
}

/** proxy_header: the team the proxy names for this request wins over the stored one. */
export function principalForUser(user: UserRecord, team: string | undefined): Principal {
  const principal: Principal = { user: user.name };
  const effective = team ?? user.team;
  if (effective !== null) principal.team = effective;
  return deepFreeze(principal);
}
