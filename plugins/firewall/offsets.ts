// Presidio (Python) counts offsets in code points; JS strings index UTF-16 code units. An emoji or
// any astral character before a finding shifts the two apart.

/** The text's length in code points (what Presidio's offsets count), for checking them. */
export function codePointLength(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/** Returns a converter from code-point offsets to UTF-16 offsets for this text. */
export function codePointToUtf16(text: string): (codePointOffset: number) => number {
  let hasAstral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      hasAstral = true;
      break;
    }
  }
  if (!hasAstral) return (offset) => offset;
  const map: number[] = [];
  let unit = 0;
  for (const ch of text) {
    map.push(unit);
    unit += ch.length;
  }
  map.push(unit);
  return (offset) => map[Math.max(0, Math.min(offset, map.length - 1))]!;
}
