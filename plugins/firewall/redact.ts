// Redaction of a request in place: every value found is replaced by its placeholder, in every
// segment where it occurs — also where the detectors did not flag it (a password found after
// `password=` is replaced where it is repeated bare, too), so a value once found never leaks
// through a second mention, also not through a tool description (redactKnownValues).
import type { Segment } from '../../core/index.js';
import { PlaceholderMap, type Numbering } from './placeholders.js';
import { KnownValues } from './known-values.js';
import type { Finding } from './types.js';

interface Span {
  start: number;
  end: number;
  placeholder: string;
}

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** An occurrence glued to a longer word or number (`10.0.0.1` inside `10.0.0.12`) is another value. */
function standsAlone(text: string, value: string, at: number): boolean {
  if (isWordCode(value.charCodeAt(0)) && isWordCode(text.charCodeAt(at - 1))) return false;
  const end = at + value.length;
  if (isWordCode(value.charCodeAt(value.length - 1)) && isWordCode(text.charCodeAt(end))) return false;
  return true;
}

/**
 * Numbers the values to redact in conversation order (segments as the view lists them, findings by
 * position), then rewrites each segment that holds one. Returns the map of placeholders to values.
 */
export function redactSegments(
  segments: readonly Pick<Segment, 'text' | 'set'>[],
  findings: readonly (readonly Finding[])[],
  redacts: (type: string) => boolean,
  numbering: Numbering = 'sequential',
  taken?: ReadonlySet<string>,
): PlaceholderMap {
  const map = new PlaceholderMap(numbering, taken);
  for (let i = 0; i < segments.length; i++) {
    const list = findings[i]!;
    if (list.length === 0) continue;
    const text = segments[i]!.text;
    for (const f of list) if (f.end > f.start && redacts(f.type)) map.placeholderFor(f.type, text.slice(f.start, f.end));
  }
  if (map.size === 0) return map;
  const entries = map.entriesByLength();
  const values = new KnownValues(entries.map((e) => e[0]));
  const placeholders = entries.map((e) => e[1]);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const text = segment.text;
    const list = findings[i]!;
    let spans: Span[] | undefined;
    for (let k = 0; k < list.length; k++) {
      const f = list[k]!;
      if (f.end > f.start && redacts(f.type)) (spans ??= []).push({ start: f.start, end: f.end, placeholder: map.placeholderFor(f.type, text.slice(f.start, f.end)) });
    }
    spans = knownValueSpans(text, values, placeholders, spans);
    if (spans) segment.set(rewrite(text, spans));
  }
  return map;
}

/** Adds to `spans` every standalone occurrence in `text` of the values already given a placeholder. */
function knownValueSpans(text: string, known: KnownValues, placeholders: readonly string[], spans: Span[] | undefined): Span[] | undefined {
  known.forEach(text, (v, at) => {
    const value = known.values[v]!;
    if (standsAlone(text, value, at)) (spans ??= []).push({ start: at, end: at + value.length, placeholder: placeholders[v]! });
  });
  return spans;
}

/**
 * Replaces, in texts the detectors do not read (tool descriptions), the values this request already
 * redacts elsewhere. Returns the number of texts changed.
 */
export function redactKnownValues(texts: readonly Pick<Segment, 'text' | 'set'>[], map: PlaceholderMap): number {
  if (map.size === 0 || texts.length === 0) return 0;
  const entries = map.entriesByLength();
  const values = new KnownValues(entries.map((e) => e[0]));
  const placeholders = entries.map((e) => e[1]);
  let changed = 0;
  for (const slot of texts) {
    const spans = knownValueSpans(slot.text, values, placeholders, undefined);
    if (spans) { slot.set(rewrite(slot.text, spans)); changed++; }
  }
  return changed;
}

/** Replaces non-overlapping spans; where spans overlap, the earlier (then the longer) one wins. */
function rewrite(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue;
    out += text.slice(cursor, span.start) + span.placeholder;
    cursor = span.end;
  }
  return out + text.slice(cursor);
}
