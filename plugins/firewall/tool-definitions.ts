// The description texts of the tools a request offers (function descriptions and every
// `description` inside their parameter schemas), so a value redacted elsewhere in the request is
// replaced there too.
//
// They are not searched for values of their own: the application writes them, not the user, and
// they carry example values on purpose (Claude Code's Bash tool shows a commit trailer with an
// e-mail address) — detecting those would block every request of such a client under `enforce`.
import { isObject, type JsonObject, type JsonValue, type ProtocolName, type Segment } from '../../core/index.js';

/** A description string, rewritable in place. */
export type DescriptionSlot = Pick<Segment, 'text' | 'set'>;

/** Schemas nest (properties, items, anyOf, $defs); deeper than this is not a schema a model gets. */
const MAX_DEPTH = 32;

/** Where each protocol keeps its tool definitions (Gemini's countTokens may wrap a generate request). */
function toolLists(protocol: ProtocolName, body: JsonObject): JsonValue[] {
  const lists: JsonValue[] = [];
  const add = (owner: JsonObject, key: string) => {
    const list = owner[key];
    if (Array.isArray(list)) lists.push(list);
  };
  switch (protocol) {
    case 'openai.chat': add(body, 'tools'); add(body, 'functions'); break;
    case 'openai.responses':
    case 'anthropic.messages':
    case 'anthropic.count_tokens': add(body, 'tools'); break;
    case 'gemini.generate':
    case 'gemini.count_tokens': {
      // Either spelling, as the view reads it: a wrapper missed here sent a redacted value upstream in a description.
      const inner = body['generateContentRequest'] ?? body['generate_content_request'];
      add(isObject(inner) ? inner : body, 'tools');
      break;
    }
    default: break;
  }
  return lists;
}

function collect(value: JsonValue, depth: number, out: DescriptionSlot[]): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, depth + 1, out);
    return;
  }
  if (!isObject(value)) return;
  for (const key in value) {
    const child = value[key]!;
    if (key === 'description' && typeof child === 'string') {
      if (child.length) out.push({ get text() { return value[key] as string; }, set(text: string) { value[key] = text; } });
    } else if (typeof child === 'object' && child !== null) {
      collect(child, depth + 1, out);
    }
  }
}

/** Every non-empty `description` string inside the request's tool definitions, in order. */
export function toolDescriptions(protocol: ProtocolName, body: JsonObject): DescriptionSlot[] {
  const out: DescriptionSlot[] = [];
  for (const list of toolLists(protocol, body)) collect(list, 0, out);
  return out;
}
