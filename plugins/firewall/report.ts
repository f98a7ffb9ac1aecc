// What the firewall reports about a request: findings on the exchange (types, counts, locations,
// never values), the `x-sluice-firewall` header and metrics. Core logs the exchange's findings
// (TYPE=count:action) in the request's log line and hands them to every plugin's onRequest.
import type { Counter, Exchange, Finding as ExchangeFinding, Metrics, Segment } from '../../core/index.js';
import { findingAction, formatLocation, type Policy, type Verdict } from './policy.js';
import type { Finding } from './types.js';

export const HEADER = 'x-sluice-firewall';
/** Locations listed per type at most: a finding in every turn of a long conversation stays one short record. */
const MAX_LOCATIONS = 8;

export interface TypeSummary {
  type: string;
  count: number;
  verdict: Verdict;
  locations: string[];
}

/** Findings per type, in order of first appearance in the request. */
export function summarise(segments: readonly Segment[], findings: readonly (readonly Finding[])[], policy: Policy): TypeSummary[] {
  const byType = new Map<string, TypeSummary>();
  for (let i = 0; i < segments.length; i++) {
    const list = findings[i]!;
    if (list.length === 0) continue;
    let location: string | undefined;
    for (const f of list) {
      let summary = byType.get(f.type);
      if (!summary) byType.set(f.type, (summary = { type: f.type, count: 0, verdict: policy.verdict(f.type), locations: [] }));
      summary.count++;
      location ??= formatLocation(segments[i]!.path);
      if (summary.locations.length < MAX_LOCATIONS && !summary.locations.includes(location)) summary.locations.push(location);
    }
  }
  return [...byType.values()];
}

export interface FirewallMetrics {
  findings: Counter;
  sidecarErrors: Counter;
  /** Requests with content not scanned, by reason (max_scan_chars, unreadable) and action (blocked, recorded). */
  unscanned: Counter;
}

export function createFirewallMetrics(metrics: Metrics): FirewallMetrics {
  return {
    findings: metrics.counter('sluice_firewall_findings_total', 'Prompt firewall findings by entity type, action and direction (request or response)', { labelNames: ['type', 'action', 'direction'] }),
    sidecarErrors: metrics.counter('sluice_firewall_sidecar_errors_total', 'Presidio sidecar calls that failed or timed out'),
    unscanned: metrics.counter('sluice_firewall_unscanned_requests_total', 'Requests holding content the prompt firewall did not scan (beyond max_scan_chars, or of a type it cannot read), refused or let through', { labelNames: ['reason', 'action'] }),
  };
}

/**
 * Records a request's findings. `blocked` overrides the verdicts when the request is refused: the
 * blocking types are `blocked`, and types to redact only `recorded` (nothing was sent, so nothing redacted).
 */
export function recordRequestFindings(exchange: Exchange, summaries: readonly TypeSummary[], metrics: FirewallMetrics, header: boolean, blocked: boolean): void {
  let headerValue = '';
  for (const s of summaries) {
    const verdict: Verdict = blocked && s.verdict === 'redact' ? 'record' : s.verdict;
    const action = findingAction(verdict);
    const finding: ExchangeFinding = { source: 'firewall', type: s.type, count: s.count, action, locations: s.locations, direction: 'request' };
    exchange.findings.push(finding);
    metrics.findings.inc({ type: s.type, action, direction: 'request' }, s.count);
    headerValue += `${headerValue ? ',' : ''}${s.type}=${s.count}`;
  }
  if (header && headerValue) exchange.responseHeaders[HEADER] = headerValue;
}

/** Accumulates response findings (output scanning) on the exchange as they are found, one record per type. */
export class ResponseFindings {
  private readonly byType = new Map<string, ExchangeFinding>();
  constructor(private readonly exchange: Exchange, private readonly metrics: FirewallMetrics, private readonly action: ExchangeFinding['action']) {}

  add(type: string, location: string): void {
    let finding = this.byType.get(type);
    if (!finding) {
      finding = { source: 'firewall', type, count: 0, action: this.action, locations: [], direction: 'response' };
      this.byType.set(type, finding);
      this.exchange.findings.push(finding);
    }
    finding.count++;
    if (finding.locations!.length < MAX_LOCATIONS && !finding.locations!.includes(location)) finding.locations!.push(location);
    this.metrics.findings.inc({ type, action: this.action, direction: 'response' });
  }

  /** `TYPE=count,…` of what was found, for a JSON answer's header. */
  headerValue(): string {
    return [...this.byType.values()].map((f) => `${f.type}=${f.count}`).join(',');
  }
}
