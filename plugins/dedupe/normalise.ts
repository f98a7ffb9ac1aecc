// Result normalisation for comparison: "the same result" must survive what tools print that changes
// on every call although nothing happened (Codex's chunk id and wall time, Gemini CLI's process
// group id, timestamps, durations, temp paths with random suffixes). The normalised text is only
// ever compared, never shown or sent, so it may be lossy. README.md lists every rule; a rule is
// added only where the value is volatile by position (after a key that says so, or in a shape
// that is always a clock reading), never for a value that could be what the tool was asked for.
import RE2 from 're2';

const NUM = String.raw`\d+(?:[.,]\d+)?`;
const UNIT = String.raw`(?:ns|µs|us|ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)`;
/** A duration: 1.23s, 45 ms, 3m 12s, 1m2.5s. */
const DURATION = String.raw`${NUM} ?${UNIT}(?: ?${NUM} ?${UNIT})*\b`;
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

/**
 * Each rule matches a volatile value together with the context that says it is one ("Chunk ID: …",
 * "took …"); the whole match is replaced by VOLATILE. Without capture groups the alternation runs
 * on RE2's DFA alone — several times cheaper than extracting a kept prefix per match.
 */
const RULES: readonly (readonly [name: string, pattern: string])[] = [
  // Codex CLI exec output: "Chunk ID: 1a2b3c", "Wall time: 0.0123 seconds", and a session id for a
  // process still running. "Original token count" and the exit code are kept: they follow from
  // the output, so they only differ when the output did.
  ['codex chunk id', String.raw`Chunk ID: [0-9A-Za-z]+`],
  ['wall time', String.raw`Wall time:? ${NUM}(?: ?${UNIT}\b)?`],
  ['codex session id', String.raw`Process running with session ID \d+`],
  // Gemini CLI run_shell_command: "Process Group PGID: 12345", "Background PIDs: 123, 456".
  ['gemini pgid', String.raw`Process Group PGID: \d+`],
  ['gemini background pids', String.raw`Background PIDs: \d+(?:, ?\d+)*`],
  ['process id', String.raw`(?i:\bpids?)(?:: ?|=| )\d+`],
  // Clock readings. Dates without a time of day are kept (release dates, deadlines are content).
  ['iso 8601', String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)\b)?`],
  ['rfc 2822', String.raw`(?:${WEEKDAY}, )?\d{1,2} ${MONTH} \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|UT|GMT|[A-Z]{3,4})\b`],
  ['date(1)', String.raw`${WEEKDAY} ${MONTH} +\d{1,2} \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})? \d{4}`],
  ['time of day', String.raw`\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\b`],
  ['epoch in a time field', String.raw`"?\b(?:[A-Za-z_]*(?:[Tt]ime|[Ss]tamp)|[a-z_]+_at|[a-z]+At|ts|date|now)"? ?[:=] ?"?\d{10}(?:\d{3})?(?:\.\d+)?\b`],
  // Durations, only where something says it is one.
  ['keyed duration', String.raw`(?i:\b(?:took|elapsed(?: time)?|time elapsed|time taken|duration|runtime|finished in|done in|completed in|time))(?::[ \t]*|=[ \t]*| in | )${DURATION}`],
  // A number under a key that names a duration, unit or none: Codex's JSON `shell` result carries
  // `"duration_seconds":3.1` on every call, so without this no Codex shell loop was ever the same.
  ['duration field', String.raw`["']?(?i:\b[a-z_]*(?:duration|elapsed)[a-z_]*)["']? ?[:=] ?\d+(?:\.\d+)?(?: ?${UNIT}\b)?`],
  ['in duration', String.raw`\sin ${DURATION}`],
  ['(duration)', String.raw`\(${DURATION}\)`],
  ['time(1)', String.raw`(?:real|user|sys)\s+\d+m${NUM}s\b`],
  ['go test', String.raw`\b(?:ok|FAIL)\s+\S+\s+${NUM}s\b`],
  // Ids a service stamps on every response, by key only: a bare UUID may be what the tool returned.
  ['request id', String.raw`(?i:\b(?:x-)?(?:request|trace|span|correlation|invocation)[-_ ]?id)"? ?[:=] ?"?[A-Za-z0-9][A-Za-z0-9_-]{5,}`],
  ['object address', String.raw` at 0x[0-9a-fA-F]{6,}`],
];

const VOLATILE = '<*>';
const VOLATILE_RE = new RE2(RULES.map(([, p]) => p).join('|'), 'g');

/** Temp paths: the roots to look for (plain `includes`), and the path rewritten component by component. */
const TEMP_ROOTS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/var/folders/', '\\AppData\\Local\\Temp\\'] as const;
const TEMP_RULE = String.raw`(?:/private)?(?:/tmp|/var/tmp|/dev/shm|/var/folders/[\w.-]+/[\w.-]+/T)(?:/[\w.@+-]+)+|[A-Za-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp(?:\\[\w.-]+)+`;
const TEMP_RE = new RE2(TEMP_RULE, 'g');

/** The rule names, in order (README.md documents each). */
export const NORMALISATION_RULES: readonly string[] = ['temp path', ...RULES.map(([name]) => name)];

/**
 * `text` with its volatile parts replaced. A structured result is canonical JSON (a Gemini shell
 * output's lines arrive as `\n` inside a string), so JSON text is unescaped first and the rules
 * see the same text whichever way the result was carried.
 */
export function normaliseResult(text: string): string {
  const c = text.charCodeAt(0);
  const t = (c === 123 || c === 91) && text.includes('\\') ? unescapeJsonStrings(text) : text; // { or [
  const paths = hasTempRoot(t) ? t.replace(TEMP_RE, normaliseTempPath) : t;
  return paths.replace(VOLATILE_RE, VOLATILE).trim();
}

const JSON_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f' };

/** JSON string escapes resolved in one pass (\uXXXX kept as written: comparison only). */
function unescapeJsonStrings(text: string): string {
  let out = '';
  let from = 0;
  for (let i = text.indexOf('\\'); i >= 0 && i + 1 < text.length; i = text.indexOf('\\', from)) {
    const resolved = JSON_ESCAPES[text[i + 1]!];
    out += text.slice(from, i) + (resolved ?? text.slice(i, i + 2));
    from = i + 2;
  }
  return out + text.slice(from);
}

// ---- temp paths: plain scanning, component by component ----------------------------------------

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isUpper(c: number): boolean { return c >= 65 && c <= 90; }
function isLower(c: number): boolean { return c >= 97 && c <= 122; }
function isAlnum(c: number): boolean { return isDigit(c) || isUpper(c) || isLower(c); }

function allOf(s: string, from: number, ok: (c: number) => boolean): boolean {
  for (let i = from; i < s.length; i++) if (!ok(s.charCodeAt(i))) return false;
  return true;
}

function hasTempRoot(text: string): boolean {
  for (const root of TEMP_ROOTS) if (text.includes(root)) return true;
  return false;
}

function normaliseTempPath(path: string): string {
  const sep = path.includes('\\') ? '\\' : '/';
  return path.split(sep).map(normaliseTempComponent).join(sep);
}

/**
 * A temp directory or file name with its random part as `*`: mktemp's tmp.XXXXXXXXXX, Python's
 * tmpXXXXXXXX, and any run of letters and digits that looks drawn at random (6+ characters mixing
 * digits and letters, or Node mkdtemp's six trailing characters in mixed case), or a counter after
 * a dash or underscore (pytest-12). Runs of plain words (build, output) are kept.
 */
export function normaliseTempComponent(name: string): string {
  if (name.length === 14 && name.startsWith('tmp.') && allOf(name, 4, isAlnum)) return 'tmp.*';
  if (name.length === 11 && name.startsWith('tmp') && allOf(name, 3, (c) => isLower(c) || isDigit(c) || c === 95)) return 'tmp*';
  let out = '';
  let i = 0;
  while (i < name.length) {
    if (!isAlnum(name.charCodeAt(i))) { out += name[i]; i++; continue; }
    let j = i;
    let digits = 0, upper = 0, lower = 0;
    for (; j < name.length && isAlnum(name.charCodeAt(j)); j++) {
      const c = name.charCodeAt(j);
      if (isDigit(c)) digits++; else if (isUpper(c)) upper++; else lower++;
    }
    const len = j - i;
    const letters = upper + lower;
    const afterSeparator = i > 0 && (name[i - 1] === '-' || name[i - 1] === '_');
    const random = (len >= 6 && digits > 0 && letters > 0)
      || (len === 6 && j === name.length && afterSeparator && upper > 0 && lower > 0)
      || (afterSeparator && letters === 0);
    out += random ? '*' : name.slice(i, j);
    i = j;
  }
  return out;
}
