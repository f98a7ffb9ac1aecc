// Restore: the model answers with the placeholders it was given; the client gets the original
// values back. As a DeltaTransform it serves JSON bodies (one delta per channel) and streams of
// every protocol alike. A placeholder can be cut anywhere across deltas, so a channel holds back
// its tail from the last `[` while that tail could still grow into a known placeholder — never
// more than the longest placeholder — and releases it as soon as it cannot.
import type { Channel, DeltaTransform } from '../../core/index.js';
import { isPlaceholderChar, type PlaceholderMap } from './placeholders.js';

/** JSON string content for a value: what goes between the quotes of a JSON string. */
export function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Replaces every known placeholder in `text`; values are JSON-escaped on JSON channels (tool arguments). */
export function restorePlaceholders(text: string, map: PlaceholderMap, json: boolean): string {
  let open = text.indexOf('[');
  if (open < 0) return text;
  let out = '';
  let cursor = 0;
  while (open >= 0) {
    let close = open + 1;
    while (close < text.length && isPlaceholderChar(text.charCodeAt(close))) close++;
    if (text.charCodeAt(close) === 93 /* ] */) {
      const value = map.values.get(text.slice(open, close + 1));
      if (value !== undefined) {
        out += text.slice(cursor, open) + (json ? jsonEscaped(value) : value);
        cursor = close + 1;
      }
    }
    open = text.indexOf('[', close);
  }
  return cursor === 0 ? text : out + text.slice(cursor);
}

/** Where the held-back tail of `text` starts: at its last `[` if what follows may become a placeholder. */
function holdFrom(text: string, map: PlaceholderMap): number {
  const open = text.lastIndexOf('[');
  if (open < 0 || text.length - open >= map.longest) return text.length;
  for (let i = open + 1; i < text.length; i++) if (!isPlaceholderChar(text.charCodeAt(i))) return text.length;
  return map.isPrefix(text.slice(open)) ? open : text.length;
}

export function restoreTransform(map: PlaceholderMap): DeltaTransform {
  const held = new Map<string, string>();
  return {
    delta(channel: Channel, text: string): string {
      const before = held.get(channel.key);
      // The common delta: no bracket, nothing held — passes through as it is.
      if (before === undefined && text.indexOf('[') < 0) return text;
      const all = before === undefined ? text : before + text;
      const cut = holdFrom(all, map);
      if (cut < all.length) held.set(channel.key, all.slice(cut));
      else held.delete(channel.key);
      return restorePlaceholders(cut < all.length ? all.slice(0, cut) : all, map, channel.format === 'json');
    },
    end(channel: Channel): string {
      const rest = held.get(channel.key);
      if (rest === undefined) return '';
      held.delete(channel.key);
      return rest; // an unfinished placeholder stays as the model wrote it
    },
  };
}
