// Scans the texts of a request — each segment on its own, so a segment's findings depend on its text
// alone and can be remembered by the text's hash. With a Presidio sidecar, every text the cache does
// not know is sent to it (a few at a time); a sidecar failure ends its use for the rest of the request.
import type { DetectionEngine } from './engine.js';
import { PresidioError } from './presidio-client.js';
import { ScanCache } from './scan-cache.js';
import type { Finding } from './types.js';

const NONE: readonly Finding[] = Object.freeze([]);

/**
 * Texts keyed together: consecutive texts up to this many, or until they hold this many characters.
 * Boundaries depend only on the texts from the start, so a conversation that grows at its end keeps
 * the same groups for everything it resent.
 */
const GROUP_TEXTS = 8;
const GROUP_CHARS = 2048;

function groupEnd(texts: readonly string[], from: number): number {
  let end = from;
  let chars = 0;
  while (end < texts.length && end - from < GROUP_TEXTS && chars < GROUP_CHARS) chars += texts[end++]!.length;
  return end;
}

/** The texts of a group, each after its length: no two different runs of texts spell the same string. */
function groupText(texts: readonly string[], from: number, end: number): string {
  let joined = 'group';
  for (let k = from; k < end; k++) joined += `\u0000${texts[k]!.length}\u0000${texts[k]!}`;
  return joined;
}

/** Sidecar calls in flight per request: enough to overlap round trips, few enough not to swamp it. */
const SIDECAR_CONCURRENCY = 4;

/**
 * Characters a request may have scanned (texts the cache does not know), and those left unscanned
 * once it ran out: a text that no longer fits is not scanned (its findings are empty) nor cached.
 */
export interface ScanBudget {
  remaining: number;
  unscanned: number;
}

/** Takes a text's length from the budget; false (and counted as unscanned) when it does not fit. */
function spend(budget: ScanBudget | undefined, text: string): boolean {
  if (!budget) return true;
  if (text.length > budget.remaining) { budget.unscanned += text.length; return false; }
  budget.remaining -= text.length;
  return true;
}

export interface RequestScanner {
  /** Findings per text, in the order given. Rejects with PresidioError only when on_error is "block". */
  scan(texts: readonly string[], budget?: ScanBudget): Promise<(readonly Finding[])[]> | (readonly Finding[])[];
  readonly cache: ScanCache;
}

/**
 * `sidecarFailures` counts the engine's `onSidecarError` calls (on_error: allow): a call during
 * which it moved may have fallen back to the built-in detectors, so its result is not cached —
 * the text is sent to the sidecar again on the next turn, once it is back.
 */
export function createRequestScanner(engine: DetectionEngine, cache: ScanCache, sidecar: { configured: boolean; failures(): number }): RequestScanner {
  function scanOne(text: string, budget: ScanBudget | undefined): readonly Finding[] | undefined {
    if (text.length === 0) return NONE;
    const key = ScanCache.keyOf(text);
    let found = cache.get(key);
    if (found === undefined) {
      if (!spend(budget, text)) return undefined;
      found = engine.scan(text);
      cache.set(key, found);
    }
    return found;
  }

  function scanBuiltIn(texts: readonly string[], budget?: ScanBudget): (readonly Finding[])[] {
    const out = new Array<readonly Finding[]>(texts.length);
    for (let i = 0; i < texts.length;) {
      const end = groupEnd(texts, i);
      if (end - i === 1) { out[i] = scanOne(texts[i]!, budget) ?? NONE; i = end; continue; }
      // Several short texts (a tool call's arguments, a short message) under one hash: one native
      // call and one lookup instead of one each. A miss (the run grew, or changed) looks each text up.
      const key = ScanCache.keyOf(groupText(texts, i, end));
      const lists = cache.getGroup(key, end - i);
      if (lists) {
        for (let k = 0; k < lists.length; k++) out[i + k] = lists[k]!;
      } else {
        let complete = true;
        for (let k = i; k < end; k++) {
          const found = scanOne(texts[k]!, budget);
          if (found === undefined) complete = false;
          out[k] = found ?? NONE;
        }
        if (complete) cache.setGroup(key, out.slice(i, end));
      }
      i = end;
    }
    return out;
  }

  async function scanWithSidecar(texts: readonly string[], budget?: ScanBudget): Promise<(readonly Finding[])[]> {
    const out = new Array<readonly Finding[]>(texts.length);
    const pending: { index: number; key: string }[] = [];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (text.trim() === '') { out[i] = NONE; continue; }
      const key = ScanCache.keyOf(text);
      const found = cache.get(key);
      if (found !== undefined) out[i] = found;
      else if (!spend(budget, text)) out[i] = NONE;
      else pending.push({ index: i, key });
    }
    let failed = false;
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const { index, key } = pending[next++]!;
        const text = texts[index]!;
        if (failed) { out[index] = engine.scan(text); continue; }
        const before = sidecar.failures();
        const found = await engine.scanWithSidecar(text); // throws PresidioError when on_error is "block"
        out[index] = found;
        if (sidecar.failures() === before) cache.set(key, found);
        else failed = true;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(SIDECAR_CONCURRENCY, pending.length) }, worker));
    } catch (err) {
      failed = true; // stops the other workers before their next call
      throw err instanceof PresidioError ? err : new PresidioError(String(err));
    }
    return out;
  }

  return {
    cache,
    scan: sidecar.configured ? scanWithSidecar : scanBuiltIn,
  };
}
