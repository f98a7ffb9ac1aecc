// What the firewall does with a finding: the mode's default action, overridden per entity type.
import type { BodyPath, FindingAction } from '../../core/index.js';
import type { EntityAction, FirewallMode, FirewallOptions } from './options.js';

/** What happens to a finding in the request: recorded only (monitor, allow), redacted, or blocked. */
export type Verdict = 'record' | 'allow' | 'redact' | 'block';

export interface Policy {
  readonly mode: FirewallMode;
  verdict(type: string): Verdict;
}

const MODE_DEFAULT: Record<FirewallMode, Verdict> = { monitor: 'record', enforce: 'block', redact: 'redact' };
const ACTION_VERDICT: Record<EntityAction, Verdict> = { block: 'block', redact: 'redact', allow: 'allow' };

export function createPolicy(options: Pick<FirewallOptions, 'mode' | 'entities'>): Policy {
  const fallback = MODE_DEFAULT[options.mode];
  const overrides = new Map<string, Verdict>();
  for (const [type, setting] of Object.entries(options.entities)) {
    if (typeof setting !== 'object' || !setting.action) continue;
    // Monitor never changes anything: an entity's block or redact only applies in the other modes.
    const verdict = ACTION_VERDICT[setting.action];
    overrides.set(type, options.mode === 'monitor' && verdict !== 'allow' ? 'record' : verdict);
  }
  return {
    mode: options.mode,
    verdict: overrides.size ? (type) => overrides.get(type) ?? fallback : () => fallback,
  };
}

/** How a verdict is reported in `exchange.findings`. */
export function findingAction(verdict: Verdict): FindingAction {
  switch (verdict) {
    case 'record': return 'recorded';
    case 'allow': return 'allowed';
    case 'redact': return 'redacted';
    case 'block': return 'blocked';
  }
}

/** Keys under which a tool call's arguments or a tool's structured result begin (client data below). */
const DATA_KEYS = new Set(['arguments', 'input', 'args', 'response']);

/**
 * A finding's location as a body path ("messages[3].content", "messages[1].tool_calls[0].function.arguments"),
 * cut where the client's own data begins: keys inside tool arguments are the client's, not the protocol's.
 */
export function formatLocation(path: BodyPath): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
    if (i > 0 && typeof part === 'string' && DATA_KEYS.has(part)) break;
  }
  return out;
}
