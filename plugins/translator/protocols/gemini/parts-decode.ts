// Gemini parts → IR parts, shared by the request decoder (whole conversations) and the response
// decoder (one model turn). Call ids are tracked here because Gemini ids are optional: a missing
// functionCall id is minted, and a functionResponse without one is matched to its call by name.
import { asObject, asString, isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrImage, IrPart, IrText, IrToolResult } from '../../ir.js';

/** What decoding one request or response remembers across parts and turns. */
export class PartDecoder {
  readonly dropped = new Set<string>();
  private readonly calls: { id: string; name: string; answered: boolean }[] = [];

  /** `scope` goes into minted ids so calls of different responses do not collide. */
  constructor(private readonly scope = '') {}

  /** Appends the IR parts for one Gemini part to `out`. */
  decode(part: JsonValue, out: IrPart[]): void {
    const p = asObject(part);
    if (!p) return;
    const signature = asString(p['thoughtSignature']);
    const text = asString(p['text']);
    if (text !== undefined) {
      if (p['thought'] === true) {
        // A streamed thought comes back as many pieces, the signature on the last (often empty) one:
        // one thinking part, signed, is what other providers verify.
        const prev = out[out.length - 1];
        if (prev?.type === 'thinking' && prev.signature === undefined) {
          prev.text += text;
          if (signature !== undefined) prev.signature = signature;
          return;
        }
        if (text === '' && signature === undefined) return; // nothing to carry; empty thinking is invalid elsewhere
        out.push(signature === undefined ? { type: 'thinking', text } : { type: 'thinking', text, signature });
        return;
      }
      // Gemini 3 signs the first text part of an answer: in the IR that is the thinking's signature.
      if (signature !== undefined) attachSignature(out, signature);
      if (text !== '') out.push({ type: 'text', text });
      return;
    }
    const call = asObject(p['functionCall']);
    if (call) {
      out.push(this.call(call, signature));
      return;
    }
    const response = asObject(p['functionResponse']);
    if (response) {
      out.push(this.response(response));
      return;
    }
    if (p['inlineData'] !== undefined || p['fileData'] !== undefined) {
      const image = this.image(p);
      if (image) out.push(image);
      return;
    }
    const others = Object.keys(p).filter((key) => key !== 'thoughtSignature' && key !== 'thought');
    // A part holding nothing but a signature still closes the thinking before it.
    if (others.length === 0 && signature !== undefined) attachSignature(out, signature);
    for (const key of others) this.dropped.add(`parts[].${key}`);
  }

  private call(call: JsonObject, signature: string | undefined): IrPart {
    const name = asString(call['name']) ?? '';
    const id = asString(call['id']) || this.mintId(name);
    this.calls.push({ id, name, answered: false });
    const args = call['args'];
    const part: IrPart = { type: 'tool_call', id, name, arguments: JSON.stringify(isObject(args) ? args : {}) };
    if (signature !== undefined) part.signature = signature;
    return part;
  }

  private mintId(name: string): string {
    const n = this.calls.length;
    return this.scope ? `call_${name}_${this.scope}_${n}` : `call_${name}_${n}`;
  }

  private response(response: JsonObject): IrToolResult {
    const name = asString(response['name']) ?? '';
    const callId = asString(response['id']) || this.matchCall(name);
    const known = this.calls.find((c) => c.id === callId);
    if (known) known.answered = true;
    const { text, isError } = resultText(response['response']);
    const content: (IrText | IrImage)[] = [{ type: 'text', text }];
    // Gemini 3 multimodal function responses carry media in functionResponse.parts.
    for (const extra of Array.isArray(response['parts']) ? response['parts'] : []) {
      const img = isObject(extra) ? this.image(extra) : undefined;
      if (img) content.push(img);
    }
    return { type: 'tool_result', callId, name, content, isError };
  }

  /** The earliest unanswered call of that name (parallel calls of one tool answer in order), else the latest. */
  private matchCall(name: string): string {
    const open = this.calls.find((c) => c.name === name && !c.answered);
    if (open) return open.id;
    const last = this.calls.findLast((c) => c.name === name);
    return last ? last.id : this.mintId(name);
  }

  private image(p: JsonObject): IrImage | undefined {
    const inline = asObject(p['inlineData']);
    if (inline) {
      const mediaType = asString(inline['mimeType']) ?? '';
      const data = asString(inline['data']) ?? '';
      if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'base64', mediaType, data } };
      this.dropped.add(`parts[].inlineData(${mediaType || 'unknown'})`);
      return undefined;
    }
    const file = asObject(p['fileData']);
    if (file) {
      const mediaType = asString(file['mimeType']) ?? '';
      const url = asString(file['fileUri']) ?? '';
      if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'url', url } };
      this.dropped.add(`parts[].fileData(${mediaType || 'unknown'})`);
    }
    return undefined;
  }
}

function attachSignature(out: IrPart[], signature: string): void {
  const last = out[out.length - 1];
  if (last?.type === 'thinking' && last.signature === undefined) last.signature = signature;
  else out.push({ type: 'thinking', text: '', signature });
}

/** Tools answer `{output}` (Gemini CLI) or `{content}` by convention, `{error}` on failure; anything else is data. */
function resultText(response: JsonValue | undefined): { text: string; isError: boolean } {
  const r = asObject(response);
  if (!r) return { text: response === undefined ? '' : JSON.stringify(response), isError: false };
  const keys = Object.keys(r);
  if ('error' in r) {
    const e = r['error'];
    return { text: typeof e === 'string' ? e : JSON.stringify(e), isError: true };
  }
  if (keys.length === 1) {
    const only = r[keys[0] as string];
    if ((keys[0] === 'output' || keys[0] === 'content') && typeof only === 'string') return { text: only, isError: false };
  }
  return { text: JSON.stringify(r), isError: false };
}
