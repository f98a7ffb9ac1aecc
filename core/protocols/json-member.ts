// One top-level string member of a JSON object replaced in the client's own bytes, so a request
// whose model a route renames still goes upstream as the client wrote it: JSON.parse and
// JSON.stringify would rewrite what they cannot keep (64-bit integers rounded, 1.0 as 1, 1e999 as
// null), and passthrough promises every other field untouched.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(bytes: Buffer, i: number): number {
  while (isSpace(bytes[i])) i++;
  return i;
}

/** The index just after the string that opens at `i`; -1 when it never closes. */
function stringEnd(bytes: Buffer, i: number): number {
  for (let j = i + 1; j < bytes.length; j++) {
    const b = bytes[j];
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  return -1;
}

/** The index just after the value that starts at `i` (the body already parsed, so it is well formed); -1 if cut short. */
function valueEnd(bytes: Buffer, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < bytes.length; j++) {
      const b = bytes[j];
      if (b === QUOTE) { j = stringEnd(bytes, j) - 1; if (j < 0) return -1; }
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return j + 1;
    }
    return -1;
  }
  let j = i;
  while (j < bytes.length && bytes[j] !== COMMA && bytes[j] !== CLOSE_OBJECT && !isSpace(bytes[j])) j++;
  return j;
}

/**
 * `bytes` (a JSON object) with the string value of its top-level member `key` replaced by `value`.
 * Undefined when that cannot be done for certain — the member missing or not a string, written
 * twice, or any key written with an escape (it could spell `key`) — and the caller serialises
 * the parsed body instead.
 */
export function withStringMemberBytes(bytes: Buffer, key: string, value: string): Buffer | undefined {
  const wanted = JSON.stringify(key);
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  i = skipSpace(bytes, i + 1);
  let span: [number, number] | undefined;
  while (bytes[i] !== CLOSE_OBJECT) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd < 0 || bytes.subarray(i, keyEnd).includes(BACKSLASH)) return undefined;
    const isWanted = keyEnd - i === Buffer.byteLength(wanted) && bytes.toString('utf8', i, keyEnd) === wanted;
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return undefined;
    const start = skipSpace(bytes, i + 1);
    const end = valueEnd(bytes, start);
    if (end < 0) return undefined;
    if (isWanted) {
      if (span || bytes[start] !== QUOTE) return undefined;
      span = [start, end];
    }
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
    else if (bytes[i] !== CLOSE_OBJECT) return undefined;
  }
  if (!span) return undefined;
  return Buffer.concat([bytes.subarray(0, span[0]), Buffer.from(JSON.stringify(value)), bytes.subarray(span[1])]);
}
