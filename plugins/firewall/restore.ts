// Restore: the model answers with the placeholders it was given; the client gets the original
// values back. As a DeltaTransform it serves JSON bodies (one delta per channel) and streams of
// every protocol alike. Models do not always copy a placeholder exactly (placeholder-forms.ts says
// which alterations count); every form that names one of this request's placeholders is restored.
// A form can be cut anywhere across deltas, so a channel holds back its tail from where a form
// starts while that tail could still grow into a known placeholder — a few dozen characters at
// most — and releases it as soon as it cannot.
import type { Channel, DeltaTransform } from '../../core/index.js';
import { mayStartForm, readForm } from './placeholder-forms.js';
import type { PlaceholderMap } from './placeholders.js';

/** JSON string content for a value: what goes between the quotes of a JSON string. */
export function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

interface Restored {
  text: string;
  /** Where the held-back tail starts in the input (its length when nothing is held). */
  held: number;
}

/**
 * Replaces every form of a known placeholder in `text` from `start` on (what comes before is
 * context already sent: whether a bare form starts a word); values are JSON-escaped when the text
 * is JSON. Unless `final`, a tail that may still become a placeholder is not looked at but held.
 */
function restoreText(text: string, start: number, map: PlaceholderMap, json: boolean, final: boolean): Restored {
  let out = '';
  let cursor = start;
  for (let i = start; i < text.length; i++) {
    if (!mayStartForm(text, i, json)) continue;
    const form = readForm(text, i, json, final, map.longest);
    if (form === undefined) continue;
    if (form.open) {
      if (map.isPrefix(form.canonical)) return { text: out + text.slice(cursor, i), held: i };
      continue;
    }
    const value = map.values.get(form.canonical);
    if (value === undefined) continue;
    out += text.slice(cursor, i) + (json ? jsonEscaped(value) : value);
    cursor = form.end;
    i = form.end - 1;
  }
  return { text: cursor === start ? (start === 0 ? text : text.slice(start)) : out + text.slice(cursor), held: text.length };
}

/** Replaces every known placeholder in a whole `text`; values are JSON-escaped on JSON channels (tool arguments). */
export function restorePlaceholders(text: string, map: PlaceholderMap, json: boolean): string {
  return restoreText(text, 0, map, json, true).text;
}

/**
 * What a channel keeps between deltas: the tail it holds back, and the last few characters it let
 * through — a bare form must start a word, so the character before it counts, also across deltas.
 */
interface ChannelState {
  held: string;
  before: string;
}

/** Enough to see a word boundary, or a JSON escape such as \n ending just before a form. */
const CONTEXT_CHARS = 8;

/**
 * `jsonText`: the client asked for a JSON answer (JSON mode, structured output), so the answer's
 * text is JSON as tool arguments are, and a value restored into it is escaped the same way.
 */
export function restoreTransform(map: PlaceholderMap, jsonText = false): DeltaTransform {
  const states = new Map<string, ChannelState>();
  const isJson = (channel: Channel): boolean => channel.format === 'json' || (jsonText && channel.kind === 'text');
  const run = (channel: Channel, text: string, final: boolean): string => {
    const state = states.get(channel.key);
    const context = state === undefined ? '' : state.before + state.held;
    const start = state === undefined ? 0 : state.before.length;
    const all = context + text;
    const restored = restoreText(all, start, map, isJson(channel), final);
    const sent = all.slice(Math.max(0, restored.held - CONTEXT_CHARS), restored.held);
    if (sent.length > 0 || restored.held < all.length) states.set(channel.key, { held: all.slice(restored.held), before: sent });
    return restored.text;
  };
  return {
    delta: (channel, text) => run(channel, text, false),
    // The stream's end completes a bare form; an unfinished bracketed one stays as the model wrote it.
    end(channel) {
      const state = states.get(channel.key);
      if (state === undefined || state.held === '') return '';
      const out = run(channel, '', true);
      states.delete(channel.key);
      return out;
    },
  };
}
