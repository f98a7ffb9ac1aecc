// Shared by the dedupe tests: default thresholds and the one-call path from a request to findings.
import { createRequestView, parseOptions } from '../../../core/index.js';
import { LoopHistory } from '../../../plugins/dedupe/history.js';
import { dedupeOptions, thresholdsOf, type Thresholds } from '../../../plugins/dedupe/options.js';
import type { RatedFinding } from '../../../plugins/dedupe/types.js';
import type { ClientRequest } from './clients.js';

export function thresholds(options: Record<string, unknown> = {}): Thresholds {
  return thresholdsOf(parseOptions(dedupeOptions, options));
}

export const DEFAULTS = thresholds();

export function historyOf(request: ClientRequest): LoopHistory {
  return LoopHistory.fromView(createRequestView(request.protocol, request.body));
}

export function findingsOf(request: ClientRequest, t: Thresholds = DEFAULTS): RatedFinding[] {
  return historyOf(request).findings(t);
}

/** `TYPE:level:count`, the compact form assertions compare. */
export function summary(findings: readonly RatedFinding[]): string[] {
  return findings.map((f) => `${f.type}:${f.level}:${f.count}${f.period ? `/${f.period}` : ''}`);
}
