// Gemini parts → IR parts, shared by the request decoder (whole conversations) and the response
// decoder (one model turn). Call ids are tracked here because Gemini ids are optional: a missing
// functionCall id is minted, and a functionResponse without one is matched to its call by name.
import {
  asArray, asObject, asString, functionResponseValue, isObject, NO_PATH, readGenerateContent, readGeneratePart,
  type BodyContainer, type BodyPath, type JsonObject, type JsonValue, type RequestSink, type SegmentKind,
} from '../../../../core/index.js';
import type { IrDocument, IrImage, IrPart, IrResultContent } from '../../ir.js';
import { PDF, pdfAt } from '../../documents.js';
import { unpackHidden } from '../../hidden-reasoning.js';

/**
 * What decoding one request or response remembers across parts and turns. Core's reader says what
 * each part is (readGeneratePart); this sink turns it into IR parts.
 */
export class PartDecoder implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  private readonly calls: { id: string; name: string; answered: boolean }[] = [];
  /** Where parts go: the current turn's. */
  private out: IrPart[] = [];
  /** A function call's signature, read just before the call. */
  private callSignature: string | undefined;

  /** `scope` goes into minted ids so calls of different responses do not collide. */
  constructor(private readonly scope = '') {}

  /** Appends the IR parts for one Gemini part to `out`. */
  decode(part: JsonValue, out: IrPart[]): void {
    const p = asObject(part);
    if (!p) return;
    this.out = out;
    readGeneratePart(p, 'model', 0, NO_PATH, this);
  }

  /** Appends the IR parts of one content (a turn of a request) to `out`. */
  decodeContent(content: JsonObject, turn: number, out: IrPart[]): void {
    this.out = out;
    readGenerateContent(content, turn, this);
  }

  text(_kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const text = asString((owner as JsonObject)[key]) ?? '';
    if (text !== '') this.out.push({ type: 'text', text });
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const text = typeof textKey === 'string' ? asString(owner[textKey]) ?? '' : '';
    const signature = field === undefined ? undefined : asString(owner[field]);
    const hidden = signature === undefined ? undefined : unpackHidden(signature);
    if (hidden) { this.pushHidden(hidden, text); return; }
    const out = this.out;
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
  }

  redacted(): void {}

  /**
   * A thinking part from packed reasoning (hidden-reasoning.ts). On a call it came from before the
   * text that precedes the call (Anthropic's order: thinking, text, tool_use), and goes back there.
   */
  private pushHidden(hidden: { text: string; signature: string | undefined }, own: string, onCall = false): void {
    const text = own === '' ? hidden.text : own;
    if (text === '' && hidden.signature === undefined) return;
    const part: IrPart = hidden.signature === undefined ? { type: 'thinking', text } : { type: 'thinking', text, signature: hidden.signature };
    // Reasoning a client was shown as a signed thought also rides on the first call (gemini/thinking.ts
    // shownThoughts): when the thought came back, it is that block, as the client sent it.
    if (this.out.some((p) => p.type === 'thinking' && (hidden.signature === undefined ? p.signature === undefined && p.text === text : p.signature === hidden.signature))) return;
    let at = this.out.length;
    while (onCall && at > 0 && this.out[at - 1]!.type === 'text') at--;
    this.out.splice(at, 0, part);
  }

  signature(signs: 'tool_call' | 'text' | 'part', owner: JsonObject, field: string): void {
    const signature = asString(owner[field]);
    // Reasoning the client was not shown rides on the part after it (hidden-reasoning.ts): it is
    // that reasoning again, not the part's own signature.
    const hidden = signature === undefined ? undefined : unpackHidden(signature);
    if (hidden) { this.pushHidden(hidden, '', signs === 'tool_call'); return; }
    if (signature === undefined || signs === 'part') return; // the IR has no place for a signature on media or results
    // Gemini 3 signs the first text part of an answer: in the IR that is the thinking's signature.
    if (signs === 'tool_call') this.callSignature = signature;
    else attachSignature(this.out, signature);
  }

  call(rawId: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string): void {
    const id = rawId || this.mintId(name);
    this.calls.push({ id, name, answered: false });
    const args = owner[key];
    const part: IrPart = { type: 'tool_call', id, name, arguments: JSON.stringify(isObject(args) ? args : {}) };
    if (this.callSignature !== undefined) part.signature = this.callSignature;
    this.callSignature = undefined;
    this.out.push(part);
  }

  result(rawId: string | undefined, rawName: string | undefined, output: JsonValue | undefined, isError: boolean, _role: string, _turn: number, _at: BodyPath, entry: JsonObject): void {
    const name = rawName ?? '';
    const callId = rawId || this.matchCall(name);
    const known = this.calls.find((c) => c.id === callId);
    if (known) known.answered = true;
    const value = functionResponseValue(output);
    const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
    const content: IrResultContent[] = [{ type: 'text', text }];
    // Gemini 3 multimodal function responses carry media (images, PDFs) in functionResponse.parts.
    const response = asObject(entry['functionResponse']);
    for (const extra of asArray(response?.['parts'])) {
      const media = isObject(extra) ? this.image(extra) ?? pdf(extra) : undefined;
      if (media) content.push(media);
    }
    // Gemini CLI's --resume repeats each earlier functionResponse in its turn: the same result twice
    // is one (Anthropic and Chat servers take one result per call id); a different one is kept.
    if (rawId && this.out.some((p) => p.type === 'tool_result' && p.callId === callId && p.isError === isError && sameContent(p.content, content))) return;
    this.out.push({ type: 'tool_result', callId, name, content, isError });
  }

  other(_type: string, _kind: SegmentKind, _role: string, _turn: number, p: JsonObject): void {
    if (p['inlineData'] !== undefined || p['fileData'] !== undefined) {
      const media = this.image(p) ?? pdf(p);
      if (media) this.out.push(media);
      return;
    }
    // executableCode, codeExecutionResult…: no IR part (a request's shape names them).
  }

  private mintId(name: string): string {
    const n = this.calls.length;
    return this.scope ? `call_${name}_${this.scope}_${n}` : `call_${name}_${n}`;
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
      // Audio, video: no IR part (a request's shape names them); a PDF is read by pdf() below.
      return mediaType.startsWith('image/') ? { type: 'image', source: { kind: 'base64', mediaType, data } } : undefined;
    }
    const file = asObject(p['fileData']);
    if (file) {
      const mediaType = asString(file['mimeType']) ?? '';
      const url = asString(file['fileUri']) ?? '';
      if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'url', url } };
    }
    return undefined;
  }
}

/** A PDF part of a turn: `inlineData` (its bytes) or `fileData` (its URI). */
function pdf(p: JsonObject): IrDocument | undefined {
  const inline = asObject(p['inlineData']);
  const data = asString(inline?.['data']);
  if (inline && asString(inline['mimeType']) === PDF && data !== undefined) return { type: 'document', source: { kind: 'base64', data } };
  const file = asObject(p['fileData']);
  const uri = asString(file?.['fileUri']);
  return file && asString(file['mimeType']) === PDF && uri !== undefined ? pdfAt(uri, undefined) : undefined;
}

function attachSignature(out: IrPart[], signature: string): void {
  const last = out[out.length - 1];
  if (last?.type === 'thinking' && last.signature === undefined) last.signature = signature;
  else out.push({ type: 'thinking', text: '', signature });
}

/** Two results' contents part for part (text, and media by their source). */
function sameContent(a: readonly IrResultContent[], b: readonly IrResultContent[]): boolean {
  return a.length === b.length && a.every((part, i) => JSON.stringify(part) === JSON.stringify(b[i]));
}

