// Placeholders for redacted values: `[EMAIL_ADDRESS_1]`, `[AWS_ACCESS_KEY_ID_2]`.
//
// Numbering without server state: values are numbered per type by their first appearance in the
// request, walking it in conversation order (system prompt, then every turn in order, each turn's
// text in order). Clients resend the whole conversation on every turn and a conversation only grows
// at its end, so a value keeps the number it got when it first appeared, on every later turn: the
// new turn can only add values, and they come after every value already numbered. The one way to
// renumber is to change the past — edit an earlier message, or put a new value in a system prompt
// that changes between turns — and then the request is still consistent in itself (one value, one
// placeholder, everywhere in it) and restores correctly; only the model sees other numbers than on
// the turn before.
//
// That reasoning fails when the client does not resend the history: a Responses request with
// `previous_response_id` or `conversation` continues a conversation the provider stored and the
// gateway never sees, so counting from 1 again would give a new value the number an earlier value
// already has there, and the model's use of it would be restored as the wrong value. Such requests
// number keyed: n is derived from an HMAC of the type and value under a random key made at process
// start — the same value gets the same placeholder on every turn within the process, no value can be
// guessed from its number, and the numbers (8 digits, 10000000 and up) never meet the small
// sequential ones an earlier, history-resending turn of the same conversation was given.
import { createHmac, randomBytes } from 'node:crypto';
import { mayStartForm, readForm } from './placeholder-forms.js';

/** The placeholder text for the n-th value of a type. Types become `[A-Z0-9_]` so restore can find them. */
export function placeholderText(type: string, n: number): string {
  return `[${placeholderType(type)}_${n}]`;
}

const typeNames = new Map<string, string>();
function placeholderType(type: string): string {
  let name = typeNames.get(type);
  if (name === undefined) {
    name = type.toUpperCase().replace(/[^A-Z0-9_]+/g, '_') || 'VALUE';
    if (typeNames.size < 1024) typeNames.set(type, name);
  }
  return name;
}

/** Bare forms the client wrote count as placeholders only with a number (`EMAIL_ADDRESS_1`, not `README`). */
const NUMBERED = /_\d+\]$/;

/** No placeholder is longer than this (a type name is an entity type's, or a custom pattern's). */
const LONGEST_LITERAL = 128;

/**
 * Every text in `texts` that restore would read as a placeholder (placeholder-forms.ts: `[X]`,
 * `[email address 1]`, `\[X\_1\]`, a bare `X_1`), as the placeholder it reads as: what the client
 * itself wrote in a placeholder's shape (a user typing "[EMAIL_1]", a template, a constant in code).
 * A value must not be given such a placeholder: restore would turn the model's echo of the client's
 * own text into the value, and the model would read two different things as one.
 */
export function placeholderLiterals(texts: Iterable<string>): Set<string> | undefined {
  let found: Set<string> | undefined;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) {
      if (!mayStartForm(text, i, false)) continue;
      const form = readForm(text, i, false, true, LONGEST_LITERAL);
      if (form === undefined) continue;
      const bare = text.charCodeAt(i) !== 91 /* [ */ && text.charCodeAt(i) !== 92; /* \ */
      if (!bare || NUMBERED.test(form.canonical)) (found ??= new Set()).add(form.canonical);
      i = form.end - 1;
    }
  }
  return found;
}

/**
 * How a request numbers its values: `sequential` by first appearance (the client resends the whole
 * history), `keyed` by a keyed hash of the value (the history lives at the provider).
 */
export type Numbering = 'sequential' | 'keyed';

/** Per process: a restart (or another instance) numbers the same value differently. Never logged or sent. */
const NUMBERING_KEY = randomBytes(32);
const KEYED_MIN = 10_000_000;
const KEYED_SPAN = 90_000_000;

/** The keyed number of a value; `attempt` > 0 only when another value of the request took the first one. */
export function keyedNumber(type: string, value: string, attempt = 0): number {
  const mac = createHmac('sha256', NUMBERING_KEY).update(type).update('\u0000').update(value);
  if (attempt > 0) mac.update(`\u0000${attempt}`);
  return KEYED_MIN + (mac.digest().readUInt32BE(0) % KEYED_SPAN);
}

/** The values of one request and their placeholders, both ways. */
export class PlaceholderMap {
  private readonly byValue = new Map<string, string>();
  /** placeholder → original value */
  readonly values = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Length of the longest placeholder (restore holds back at most this much). */
  longest = 0;

  /** `taken`: placeholder-shaped texts already in the request (placeholderLiterals), never given out. */
  constructor(readonly numbering: Numbering = 'sequential', private readonly taken?: ReadonlySet<string>) {}

  /** The value's placeholder, numbering it on first sight. */
  placeholderFor(type: string, value: string): string {
    let placeholder = this.byValue.get(value);
    if (placeholder !== undefined) return placeholder;
    const key = placeholderType(type);
    if (this.numbering === 'keyed') {
      // Two values of one request on one number (about 1 in 90 million per pair) must still differ.
      for (let attempt = 0; ; attempt++) {
        placeholder = placeholderText(type, keyedNumber(key, value, attempt));
        if (!this.values.has(placeholder) && !this.taken?.has(placeholder)) break;
      }
    } else {
      // The next number whose text the request does not already hold; the request's own
      // literals are the same on every turn that resends it, so numbering stays stable.
      let n = this.counters.get(key) ?? 0;
      do placeholder = placeholderText(type, ++n); while (this.taken?.has(placeholder));
      this.counters.set(key, n);
    }
    this.byValue.set(value, placeholder);
    this.values.set(placeholder, value);
    if (placeholder.length > this.longest) this.longest = placeholder.length;
    return placeholder;
  }

  get size(): number {
    return this.values.size;
  }

  /** Value → placeholder, longest value first (so a value inside a longer one never wins over it). */
  entriesByLength(): [string, string][] {
    return [...this.byValue].sort((a, b) => b[0].length - a[0].length);
  }

  /** True when `text` (which starts with `[` and has no `]`) could still grow into one of the placeholders. */
  isPrefix(text: string): boolean {
    if (text.length >= this.longest) return false;
    for (const placeholder of this.values.keys()) if (placeholder.startsWith(text)) return true;
    return false;
  }
}
