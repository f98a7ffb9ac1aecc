// A client that was once answered through translation stores signatures tagged with their origin
// (signatures.ts). When a later turn passes through untranslated — back on its own family's
// provider, or a fallback — those tags must not reach the upstream: a signature of this family is
// unwrapped, one from another family is removed with the reasoning it signs. Untagged requests
// (the usual case) are left exactly as they are.
import { asArray, isObject, type ApiFamily, type JsonObject, type JsonValue, type ProtocolName } from '../../core/index.js';
import { parseTag } from './signatures.js';

/** Gemini's documented placeholder for a function call whose signature is unknown. */
const GEMINI_SKIP = 'skip_thought_signature_validator';

type Verdict = { keep: true; value: string } | { keep: false };

function judge(value: JsonValue | undefined, family: ApiFamily): Verdict | undefined {
  const tag = typeof value === 'string' ? parseTag(value) : undefined;
  if (!tag) return undefined;
  return tag.origin === family ? { keep: true, value: tag.signature } : { keep: false };
}

/** Rewrites `list` (content blocks, items or parts), reporting whether anything changed. */
function rewrite(list: JsonValue[], fix: (entry: JsonObject) => JsonObject | undefined | 'unchanged'): { list: JsonValue[]; changed: boolean } {
  let changed = false;
  const out: JsonValue[] = [];
  for (const entry of list) {
    const r = isObject(entry) ? fix(entry) : 'unchanged';
    if (r === 'unchanged') { out.push(entry); continue; }
    changed = true;
    if (r) out.push(r);
  }
  return { list: out, changed };
}

function anthropicBlock(block: JsonObject): JsonObject | undefined | 'unchanged' {
  if (block['type'] !== 'thinking') return 'unchanged';
  const v = judge(block['signature'], 'anthropic');
  if (!v) return 'unchanged';
  return v.keep ? { ...block, signature: v.value } : undefined;
}

function responsesItem(item: JsonObject): JsonObject | undefined | 'unchanged' {
  if (item['type'] !== 'reasoning') return 'unchanged';
  const v = judge(item['encrypted_content'], 'openai');
  if (!v) return 'unchanged';
  return v.keep ? { ...item, encrypted_content: v.value } : undefined;
}

function geminiPart(part: JsonObject): JsonObject | undefined | 'unchanged' {
  const v = judge(part['thoughtSignature'], 'gemini');
  if (!v) return 'unchanged';
  if (v.keep) return { ...part, thoughtSignature: v.value };
  if (part['thought'] === true) return undefined;
  return part['functionCall'] !== undefined ? { ...part, thoughtSignature: GEMINI_SKIP } : (({ thoughtSignature: _s, ...rest }) => rest)(part);
}

function chatDetail(detail: JsonObject): JsonObject | undefined | 'unchanged' {
  const v = judge(detail['signature'], 'openai') ?? judge(detail['data'], 'openai');
  if (!v) return 'unchanged';
  if (!v.keep) return undefined;
  return typeof detail['signature'] === 'string' ? { ...detail, signature: v.value } : { ...detail, data: v.value };
}

/** Applies `fix` to the nested list `key` of every entry of `outer`; returns the new outer list or undefined. */
function nested(outer: JsonValue[], key: string, fix: Parameters<typeof rewrite>[1]): JsonValue[] | undefined {
  let changed = false;
  const out = outer.map((m) => {
    if (!isObject(m) || !Array.isArray(m[key])) return m;
    const r = rewrite(m[key] as JsonValue[], fix);
    if (!r.changed) return m;
    changed = true;
    return { ...m, [key]: r.list };
  });
  return changed ? out : undefined;
}

/** The client's body with tagged signatures resolved for an upstream of its own protocol, or undefined when none was tagged. */
export function resolvePassthroughSignatures(protocol: ProtocolName, body: JsonObject): JsonObject | undefined {
  switch (protocol) {
    case 'anthropic.messages': {
      const messages = nested(asArray(body['messages']), 'content', anthropicBlock);
      return messages && { ...body, messages };
    }
    case 'openai.responses': {
      if (!Array.isArray(body['input'])) return undefined;
      const r = rewrite(body['input'], responsesItem);
      return r.changed ? { ...body, input: r.list } : undefined;
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
