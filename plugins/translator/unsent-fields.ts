// What a target's encoder leaves out of the IR. The decoders' walk (dropped-fields.ts) names what
// the client sent that the IR cannot hold; this names what the IR held but the target protocol
// cannot take (Chat `user` towards Gemini, say). Each encoder compares the IR with the body it
// built, so the list cannot drift from what the encoder does; it runs only while the debug line
// that reads it is on. Each client codec names the fields in its own words (`unsentNames`).
import type { JsonObject } from '../../core/index.js';
import type { IrRequest } from './ir.js';

/** An IR field (or kind of IR content) an encoder can leave out. */
export type UnsentField =
  | 'user' | 'parallelToolCalls' | 'toolChoice' | 'temperature' | 'topP' | 'topK' | 'stop'
  | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'verbosity'
  | 'reasoning' | 'reasoning.includeThoughts'
  | 'responseFormat' | 'responseFormat.name' | 'responseFormat.strict'
  | 'tools.strict' | 'tools.cache' | 'tools.freeformFormat'
  | 'cache' | 'image.detail' | 'document.url' | 'toolResult.isError' | 'thinking' | 'redactedThinking';

/** Client field names, by the client's protocol; an IR field a client protocol cannot send has none. */
export type UnsentNames = Readonly<Partial<Record<UnsentField, string>>>;

/** The client's names of what was left out; an unnamed field (none expected) keeps its IR name. */
export function unsentFieldNames(fields: Iterable<UnsentField>, names: UnsentNames | undefined): string[] {
  const out = new Set<string>();
  for (const f of fields) out.add(names?.[f] ?? f);
  return [...out];
}

/** IR content and tool settings a target has no place for, checked the same way for every encoder. */
export type ContentField = 'cache' | 'image.detail' | 'document.url' | 'toolResult.isError' | 'thinking' | 'redactedThinking' | 'tools.strict' | 'tools.cache' | 'tools.freeformFormat';

/** Adds to `out` each of `which` that `request` carries. */
export function unsentContent(request: IrRequest, which: readonly ContentField[], out: UnsentField[]): void {
  const found = new Set<ContentField>();
  for (const t of request.tools) {
    if (t.strict !== undefined) found.add('tools.strict');
    if (t.cache !== undefined) found.add('tools.cache');
    if (t.freeform?.format !== undefined) found.add('tools.freeformFormat');
  }
  if (request.system.some((t) => t.cache !== undefined)) found.add('cache');
  for (const m of request.messages) {
    for (const p of m.parts) {
      if (p.type === 'text') { if (p.cache) found.add('cache'); }
      else if (p.type === 'image') { if (p.detail !== undefined) found.add('image.detail'); }
      else if (p.type === 'document') { if (p.source.kind === 'url') found.add('document.url'); }
      else if (p.type === 'tool_result') {
        if (p.isError) found.add('toolResult.isError');
        for (const c of p.content) {
          if (c.type === 'image' && c.detail !== undefined) found.add('image.detail');
          if (c.type === 'document' && c.source.kind === 'url') found.add('document.url');
        }
      } else if (p.type === 'thinking') { if (p.signature === undefined && p.text !== '') found.add('thinking'); }
      else if (p.type === 'redacted_thinking') found.add('redactedThinking');
    }
  }
  for (const f of which) if (found.has(f)) out.push(f);
}

/** Adds `field` to `out` when the IR had a value the encoder did not send (`sent` undefined). */
export function unsentValue(out: UnsentField[], field: UnsentField, value: unknown, sent: unknown): void {
  if (value !== undefined && sent === undefined) out.push(field);
}

/** Adds each of seed and the penalties the IR held that `body` does not carry under `names`. */
export function unsentSeedPenalties(out: UnsentField[], request: IrRequest, body: JsonObject | undefined, names?: { seed: string; presencePenalty: string; frequencyPenalty: string }): void {
  for (const field of ['seed', 'presencePenalty', 'frequencyPenalty'] as const) {
    unsentValue(out, field, request[field], names ? body?.[names[field]] : undefined);
  }
}

/** Adds `stop` when fewer stop sequences were sent than the IR held. */
export function unsentStops(out: UnsentField[], request: IrRequest, sent: unknown): void {
  if (request.stop.length > (Array.isArray(sent) ? sent.length : 0)) out.push('stop');
}
