// Output scanning: what the model answers, scanned as it streams. Each channel (text, reasoning,
// one tool call's arguments) keeps a little text back at its end — `hold_chars`, widened to the
// start of an unfinished word and of any finding that runs into the held part — so a value split
// across chunks is still seen whole before any of it is sent. Text already sent stays as context
// (the detectors look around a match for keywords). JSON bodies pass through the same transform,
// as one delta per channel.
import type { Channel, DeltaTransform } from '../../core/index.js';
import type { DetectionEngine } from './engine.js';
import type { Finding } from './types.js';

/** Characters of already-sent text kept as context for the next scan. */
const CONTEXT_CHARS = 64;
/** A word longer than this (a base64 blob) is not held back whole. */
const MAX_WORD_HOLD = 4096;

export interface OutputHooks {
  /** False for types whose action is `allow`: not reported, not masked. */
  reports(type: string): boolean;
  /** Called for each finding; throws to block (the stream ends with the protocol's error). */
  found(type: string, channel: Channel): void;
  /** Masks the value (redact), or undefined to leave it (monitor). */
  mask(type: string): string | undefined;
}

interface ChannelState {
  held: string;
  context: string;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Moves `cut` back to the start of the word it falls in, unless the word is a blob too long to hold. */
function wordStart(text: string, cut: number): number {
  if (cut <= 0 || cut >= text.length || isSpaceCode(text.charCodeAt(cut)) || isSpaceCode(text.charCodeAt(cut - 1))) return cut;
  let at = cut;
  while (at > 0 && !isSpaceCode(text.charCodeAt(at - 1))) at--;
  return cut - at > MAX_WORD_HOLD ? cut : at;
}

/** A span to mask in a JSON channel must not swallow the quotes or escapes around a string value. */
function jsonSafe(text: string, start: number, end: number): [number, number] {
  const quote = text.indexOf('"', start);
  if (quote >= 0 && quote < end) {
    if (quote > start) end = quote;
    else start = quote + 1;
  }
  while (end > start && text.charCodeAt(end - 1) === 92 /* \ */) end--;
  return [start, end];
}

/**
 * Where held text cut short by a failed stream may end: before its last word, which the failure
 * may have cut inside a value — a token's first characters are no token the detectors know, and
 * would go out as they stand. A finding that reaches the end is kept (it goes out masked).
 */
function completeWords(held: string, findings: readonly Finding[], offset: number): number {
  let start = held.length;
  while (start > 0 && !isSpaceCode(held.charCodeAt(start - 1))) start--;
  if (start === held.length) return start;
  for (const f of findings) if (f.end - offset === held.length) return held.length;
  return start;
}

export function outputScanTransform(engine: DetectionEngine, holdChars: number, hooks: OutputHooks): DeltaTransform {
  const states = new Map<string, ChannelState>();

  /** Emits `buffer[0, cut)` with its findings acted upon; keeps the rest held. */
  function emit(channel: Channel, state: ChannelState, buffer: string, findings: Finding[], offset: number, cut: number): string {
    let out = '';
    let cursor = 0;
    for (const f of findings) {
      const end = f.end - offset;
      if (end <= 0 || end > cut || !hooks.reports(f.type)) continue; // already sent, still held, or allowed
      hooks.found(f.type, channel);
      const mask = hooks.mask(f.type);
      if (mask === undefined) continue;
      let start = Math.max(0, f.start - offset, cursor);
      let stop = end;
      if (channel.format === 'json') [start, stop] = jsonSafe(buffer, start, stop);
      if (stop <= start) continue;
      out += buffer.slice(cursor, start) + mask;
      cursor = stop;
    }
    out += buffer.slice(cursor, cut);
    state.held = buffer.slice(cut);
    state.context = (state.context + buffer.slice(0, cut)).slice(-CONTEXT_CHARS);
    return out;
  }

  return {
    delta(channel, text) {
      let state = states.get(channel.key);
      if (!state) states.set(channel.key, (state = { held: '', context: '' }));
      const buffer = state.held + text;
      if (buffer.length <= holdChars) { state.held = buffer; return ''; }
      const offset = state.context.length;
      const findings = engine.scan(state.context + buffer);
      let cut = wordStart(buffer, buffer.length - holdChars);
      // A finding running into the held part is held whole; moving the cut may reach another one.
      for (let moved = true; moved;) {
        moved = false;
        for (const f of findings) {
          const start = f.start - offset;
          const end = f.end - offset;
          if (start < cut && end > cut) { cut = Math.max(0, start); moved = cut > 0; }
        }
      }
      return emit(channel, state, buffer, findings, offset, cut);
    },
    end(channel, cut) {
      const state = states.get(channel.key);
      if (!state) return '';
      states.delete(channel.key);
      if (state.held === '') return '';
      const offset = state.context.length;
      const findings = engine.scan(state.context + state.held);
      return emit(channel, state, state.held, findings, offset, cut ? completeWords(state.held, findings, offset) : state.held.length);
    },
  };
}

/**
 * Monitor: `scan` sees the answer as it would to mask or block (holding back its window, so a value
 * split across chunks is still seen whole), while the client gets every delta as it came, at once —
 * monitor changes nothing, not even when the text arrives.
 */
export function observeOnly(scan: DeltaTransform): DeltaTransform {
  return {
    delta(channel, text) {
      scan.delta(channel, text);
      return text;
    },
    end(channel, cut) {
      scan.end(channel, cut);
      return '';
    },
  };
}

/** Runs `second` on what `first` emits: output scanning sees the model's text, restore the result. */
export function chainTransforms(first: DeltaTransform, second: DeltaTransform): DeltaTransform {
  return {
    delta: (channel, text) => second.delta(channel, first.delta(channel, text)),
    end: (channel, cut) => {
      const rest = first.end(channel, cut);
      return (rest ? second.delta(channel, rest) : '') + second.end(channel, cut);
    },
  };
}
