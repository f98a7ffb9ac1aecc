// A client that was once answered through translation stores signatures tagged with their origin
// (signatures.ts). When a later turn passes through untranslated — back on its own family's
// provider, or a fallback — those tags must not reach the upstream: a signature of this family is
// unwrapped, one from another family (or an empty one) is removed with the reasoning it signs.
// Tool-call ids get the same care (tool-call-ids.ts): a signature carried in an Anthropic or
// Responses id is cut off, and an id Anthropic would reject (minted by another provider) is
// mapped. Requests with none of this (the usual case) are left exactly as they are.
import { asArray, isObject, type ApiFamily, type JsonObject, type JsonValue, type ProtocolName } from '../../core/index.js';
import { parseTag } from './signatures.js';
import { anthropicToolId, bareId } from './tool-call-ids.js';

/** Gemini's documented placeholder for a function call whose signature is unknown. */
const GEMINI_SKIP = 'skip_thought_signature_validator';

type Verdict = { keep: true; value: string } | { keep: false };

function judge(value: JsonValue | undefined, family: ApiFamily): Verdict | undefined {
  const tag = typeof value === 'string' ? parseTag(value) : undefined;
  if (!tag) return undefined;
  return tag.origin === family ? { keep: true, value: tag.signature } : { keep: false };
}

type Fix = (entry: JsonObject) => JsonObject | undefined | 'unchanged';

/**
 * `list` with `fix` applied to each object entry (undefined removes it); the same array when nothing
 * changed. Runs on every passthrough request, so nothing is copied until a tag is found.
 */
function rewrite(list: JsonValue[], fix: Fix): JsonValue[] {
  let out: JsonValue[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    const r = isObject(entry) ? fix(entry) : 'unchanged';
    if (r === 'unchanged') { out?.push(entry); continue; }
    out ??= list.slice(0, i);
    if (r) out.push(r);
  }
  return out ?? list;
}

/** `entry` with its id field `key` made fit for the upstream by `fix`, or 'unchanged'. */
function fixId(entry: JsonObject, key: string, fix: (id: string) => string): JsonObject | 'unchanged' {
  const id = entry[key];
  if (typeof id !== 'string') return 'unchanged';
  const fixed = fix(id);
  return fixed === id ? 'unchanged' : { ...entry, [key]: fixed };
}

const anthropicId = (id: string): string => anthropicToolId(bareId(id));

const anthropicBlock: Fix = (block) => {
  if (block['type'] === 'tool_use') return fixId(block, 'id', anthropicId);
  if (block['type'] === 'tool_result') return fixId(block, 'tool_use_id', anthropicId);
  if (block['type'] !== 'thinking') return 'unchanged';
  // `signature: ""` is how Anthropic clients were given reasoning that came unsigned from another
  // provider: Anthropic would refuse it as an invalid signature, so it is left out like a foreign one.
  if (block['signature'] === '') return undefined;
  const v = judge(block['signature'], 'anthropic');
  if (!v) return 'unchanged';
  return v.keep ? { ...block, signature: v.value } : undefined;
};

const CALL_ITEMS = new Set(['function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output']);

const responsesItem: Fix = (item) => {
  if (CALL_ITEMS.has(item['type'] as string)) return fixId(item, 'call_id', bareId);
  if (item['type'] !== 'reasoning') return 'unchanged';
  const v = judge(item['encrypted_content'], 'openai');
  if (!v) return 'unchanged';
  return v.keep ? { ...item, encrypted_content: v.value } : undefined;
};

const geminiPart: Fix = (part) => {
  const v = judge(part['thoughtSignature'], 'gemini');
  if (!v) return 'unchanged';
  if (v.keep) return { ...part, thoughtSignature: v.value };
  if (part['thought'] === true) return undefined;
  if (part['functionCall'] !== undefined) return { ...part, thoughtSignature: GEMINI_SKIP };
  const { thoughtSignature: _foreign, ...rest } = part;
  return rest;
};

const chatDetail: Fix = (detail) => {
  const v = judge(detail['signature'], 'openai') ?? judge(detail['data'], 'openai');
  if (!v) return 'unchanged';
  if (!v.keep) return undefined;
  return typeof detail['signature'] === 'string' ? { ...detail, signature: v.value } : { ...detail, data: v.value };
};

/** `outer` with `fix` applied inside each entry's list `key`; undefined when nothing changed. */
function nested(outer: JsonValue[], key: string, fix: Fix): JsonValue[] | undefined {
  const out = rewrite(outer, (m) => {
    const inner = m[key];
    if (!Array.isArray(inner)) return 'unchanged';
    const fixed = rewrite(inner, fix);
    return fixed === inner ? 'unchanged' : { ...m, [key]: fixed };
  });
  return out === outer ? undefined : out;
}

const TAG_BYTES = Buffer.from('sluice1.');
const UNICODE_ESCAPE = Buffer.from('\\u');

/**
 * False when the client's bytes show there is nothing to resolve, so the body need not be walked:
 * Chat and Gemini bodies change only where a tagged value is, and a tag is plain ASCII — absent
 * from bytes that hold neither it nor a `\u` escape (which could spell it) cannot be in the body.
 * Anthropic and Responses ids are mapped even untagged: those are always walked.
 */
export function mayNeedResolving(protocol: ProtocolName, bytes: Buffer | undefined): boolean {
  if (!bytes || (protocol !== 'openai.chat' && protocol !== 'gemini.generate')) return true;
  return bytes.includes(TAG_BYTES) || bytes.includes(UNICODE_ESCAPE);
}

/** The client's body with tagged signatures resolved for an upstream of its own protocol, or undefined when none was tagged. */
export function resolvePassthroughSignatures(protocol: ProtocolName, body: JsonObject): JsonObject | undefined {
  switch (protocol) {
    case 'anthropic.messages': {
      const messages = nested(asArray(body['messages']), 'content', anthropicBlock);
      return messages && { ...body, messages };
    }
    case 'openai.responses': {
      const input = body['input'];
      if (!Array.isArray(input)) return undefined;
      const fixed = rewrite(input, responsesItem);
      return fixed === input ? undefined : { ...body, input: fixed };
    }
    case 'gemini.generate': {
      const contents = nested(asArray(body['contents']), 'parts', geminiPart);
      return contents && { ...body, contents };
    }
    case 'openai.chat': {
      const messages = nested(asArray(body['messages']), 'reasoning_details', chatDetail);
      return messages && { ...body, messages };
    }
    default:
      return undefined;
  }
}
