// A client that was once answered through translation stores signatures tagged with their origin
// (signatures.ts). When a later turn passes through untranslated — back on its own family's
// provider, or a fallback — those tags must not reach the upstream: a signature of this family is
// unwrapped, one from another family (or an empty one) is removed with the reasoning it signs.
// Tool-call ids get the same care (tool-call-ids.ts): a signature carried in an Anthropic or
// Responses id is cut off, and an id Anthropic would reject (minted by another provider) is
// mapped. Requests with none of this (the usual case) are left exactly as they are.
import type { BodyContainer, BodyPath, JsonObject, JsonValue, ProtocolName, RequestView } from '../../core/index.js';
import { unpackHidden } from './hidden-reasoning.js';
import { REDACTED_PREFIX } from './protocols/responses/wire.js';
import { parseTag } from './signatures.js';
import { anthropicToolId, bareId } from './tool-call-ids.js';

/** Gemini's documented placeholder for a function call whose signature is unknown. */
const GEMINI_SKIP = 'skip_thought_signature_validator';

const anthropicId = (id: string): string => anthropicToolId(bareId(id));

const ANTHROPIC_IDS = { call: 'id', result: 'tool_use_id', fix: anthropicId };

/** Where the protocols whose ids are fixed keep them (core's view finds the calls and results). */
const ID_FIELDS: Partial<Record<ProtocolName, { call: string; result: string; fix: (id: string) => string }>> = {
  'anthropic.messages': ANTHROPIC_IDS,
  'anthropic.count_tokens': ANTHROPIC_IDS,
  'openai.responses': { call: 'call_id', result: 'call_id', fix: bareId },
};

/** A change to the body: a new value at `path`, or the entry there removed. */
interface Edit { readonly path: BodyPath; readonly value: JsonValue | undefined }

const TAG_BYTES = Buffer.from('sluice1.');
const HIDDEN_BYTES = Buffer.from('sluice-text1:');
const UNICODE_ESCAPE = Buffer.from('\\u');

/**
 * False when the client's bytes show there is nothing to resolve, so the body need not be walked:
 * Chat and Gemini bodies change only where a tagged value is, and a tag is plain ASCII — absent
 * from bytes that hold neither it nor a `\u` escape (which could spell it) cannot be in the body.
 * Anthropic and Responses ids are mapped even untagged: those are always walked.
 */
export function mayNeedResolving(protocol: ProtocolName, bytes: Buffer | undefined): boolean {
  if (!bytes || (protocol !== 'openai.chat' && protocol !== 'gemini.generate')) return true;
  return bytes.includes(TAG_BYTES) || bytes.includes(HIDDEN_BYTES) || bytes.includes(UNICODE_ESCAPE);
}

/**
 * The client's body with tagged signatures resolved for an upstream of its own protocol, or
 * undefined when none was tagged. Read through core's view of the body (shared with the plugins
 * that read the tool history); the body itself is copied, not changed: the client's request stays
 * as it came for a translation to another family (a fallback).
 */
export function resolvePassthroughSignatures(view: RequestView): JsonObject | undefined {
  const family = view.protocol.family;
  const edits: Edit[] = [];
  for (const s of view.signatures()) {
    // `signature: ""` is how Anthropic clients were given reasoning that came unsigned from another
    // provider: Anthropic would refuse it as an invalid signature, so it is left out like a foreign one.
    if (s.value === '' && family === 'anthropic') { edits.push({ path: s.path, value: undefined }); continue; }
    // Reasoning whose text the client was not shown (hidden-reasoning.ts) came from a translated
    // answer, another provider's or one this upstream cannot check: left out with its text. So is
    // Anthropic's redacted thinking as a Responses client holds it (`sluice-redacted:…`, never tagged):
    // only Anthropic can read it.
    if (s.value !== undefined && s.signs === 'reasoning' && (unpackHidden(s.value) || s.value.startsWith(REDACTED_PREFIX))) { edits.push({ path: s.path, value: undefined }); continue; }
    // A Gemini client holds such reasoning on the part after it (a call or a text): the part stays,
    // without it — a call with Gemini's placeholder, a part that held nothing else goes.
    if (s.value !== undefined && unpackHidden(s.value)) {
      if (s.signs === 'tool_call') edits.push({ path: [...s.path, s.field], value: GEMINI_SKIP });
      else edits.push({ path: textAt(view.body, s.path) === '' ? s.path : [...s.path, s.field], value: undefined });
      continue;
    }
    const tag = s.value === undefined ? undefined : parseTag(s.value);
    if (!tag) continue;
    const field = [...s.path, s.field];
    if (tag.origin === family) edits.push({ path: field, value: tag.signature });
    else if (s.signs === 'reasoning') edits.push({ path: s.path, value: undefined });
    else edits.push({ path: field, value: s.signs === 'tool_call' ? GEMINI_SKIP : undefined });
  }
  const ids = ID_FIELDS[`${family}.${view.protocol.operation}`];
  if (ids) {
    for (const e of view.toolEvents()) {
      const id = e.type === 'call' ? e.id : e.callId;
      const fixed = id === undefined ? id : ids.fix(id);
      if (fixed !== id) edits.push({ path: [...e.path, e.type === 'call' ? ids.call : ids.result], value: fixed! });
    }
  }
  return edits.length ? edited(view.body, edits) : undefined;
}

/** The `text` of the entry at `path` in `body`, if it has one. */
function textAt(body: JsonObject, path: BodyPath): string | undefined {
  let here: JsonValue | undefined = body;
  for (const key of path) here = here !== null && typeof here === 'object' ? (here as Record<string | number, JsonValue>)[key] : undefined;
  const text = here !== null && typeof here === 'object' && !Array.isArray(here) ? here['text'] : undefined;
  return typeof text === 'string' ? text : undefined;
}

/**
 * `body` with `edits` made, copying only the objects and arrays on their paths. Entries are
 * removed last, the latest first, so the indexes of the others stay right.
 */
function edited(body: JsonObject, edits: readonly Edit[]): JsonObject {
  const copies = new Map<BodyContainer, BodyContainer>();
  const copy = (c: BodyContainer): BodyContainer => {
    let out = copies.get(c);
    if (!out) copies.set(c, (out = Array.isArray(c) ? [...c] : { ...c }));
    return out;
  };
  const removals: [BodyContainer, string | number][] = [];
  for (const { path, value } of edits) {
    let from: BodyContainer = body;
    let to = copy(body);
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      from = (from as Record<string | number, JsonValue>)[key] as BodyContainer;
      (to as Record<string | number, JsonValue>)[key] = to = copy(from);
    }
    const last = path[path.length - 1]!;
    if (value === undefined) removals.push([to, last]);
    else (to as Record<string | number, JsonValue>)[last] = value;
  }
  for (let i = removals.length - 1; i >= 0; i--) {
    const [where, key] = removals[i]!;
    if (Array.isArray(where)) where.splice(key as number, 1);
    else delete where[key as string];
  }
  return copy(body) as JsonObject;
}
