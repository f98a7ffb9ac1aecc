// One Responses item as core's reader reports it (readResponsesItem), as IR parts: shared by the
// request decoder (input items) and the response decoder (output items, which have the same shape),
// so both read messages, refusals, reasoning and calls alike.
import {
  asString, readResponsesItem,
  type ArgumentsForm, type BodyContainer, type BodyPath, type JsonObject, type JsonValue, type RequestSink, type SegmentKind,
} from '../../../../core/index.js';
import type { IrDocument, IrImage, IrPart, IrText, IrToolResult } from '../../ir.js';
import { pdfAt, pdfFromDataUrl } from '../../documents.js';
import { bareId, splitSignature } from '../../tool-call-ids.js';
import { invalid, withItem } from '../../util.js';
import { namespacedName, reasoningPart } from './wire.js';

/**
 * The IR parts of one input item, from core's reading of it: this file adds what only translation
 * needs — images, ids carrying signatures, freeform calls as `{"input": …}`, redacted reasoning.
 * An `answer` (an output item of a response) is read leniently: a call without an id or a name is
 * kept, and an id is the upstream's own (only ids Sluice gave a client carry signatures).
 */
export class ItemReader implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  /** Where the item's parts go. */
  private parts: IrPart[] = [];
  /** The tool result whose output parts are being read. */
  private open: IrToolResult | undefined;

  constructor(private readonly callNames: Map<string, string>, private readonly answer = false) {}

  /** The one part an item makes (a reasoning item), or undefined when it makes none. */
  readOne(item: JsonObject, i: number, type: string | undefined): IrPart | undefined {
    const parts = this.read(item, i, this.scratch, type);
    const part = parts[0];
    parts.length = 0;
    return part;
  }

  private readonly scratch: IrPart[] = [];

  /** Appends the parts of `item` to `parts`, and returns them. */
  read(item: JsonObject, i: number, parts: IrPart[], type: string | undefined): IrPart[] {
    this.parts = parts;
    readResponsesItem(item, i, this, type);
    return parts;
  }

  text(kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const part: IrText = { type: 'text', text: asString((owner as JsonObject)[key]) ?? '' };
    if (kind === 'tool_result') { if (this.open) this.open.content = withItem(this.open.content, part); }
    else this.parts.push(part);
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const part = reasoningPart(owner, typeof textKey === 'string' ? [textKey] : textKey ?? [], field);
    if (part) this.parts.push(part);
  }

  redacted(): void {}
  signature(): void {}

  call(rawId: string | undefined, name: string, _role: string, turn: number, _at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, form: ArgumentsForm): void {
    // A Gemini function-call signature Sluice put in call_id comes back out of it (tool-call-ids.ts).
    const { id, signature } = this.answer ? { id: rawId ?? '', signature: undefined } : splitSignature(required(rawId, 'call_id', turn));
    if (!this.answer) required(name, 'name', turn);
    // A replayed call of a namespaced tool names it inside its namespace: back to the flat IR name.
    const ns = asString(owner['namespace']);
    if (ns !== undefined && name) name = namespacedName(ns, name);
    this.callNames.set(id, name);
    // A freeform call's raw text rides in the IR as the single `input` argument.
    const args = form === 'free_text' ? JSON.stringify({ input: asString(owner[key]) ?? '' }) : asString(owner[key]) ?? '{}';
    const call: IrPart = { type: 'tool_call', id, name, arguments: args };
    if (signature !== undefined) call.signature = signature;
    this.parts.push(call);
  }

  result(rawId: string | undefined, _name: string | undefined, output: JsonValue | undefined, _isError: boolean, _role: string, turn: number): void {
    const callId = bareId(required(rawId, 'call_id', turn));
    if (output != null && typeof output !== 'string' && !Array.isArray(output)) {
      throw invalid(`input[${turn}].output must be a string or an array`, `input[${turn}].output`);
    }
    const result: IrToolResult = { type: 'tool_result', callId, content: [], isError: false };
    const name = this.callNames.get(callId);
    if (name !== undefined) result.name = name;
    this.parts.push((this.open = result));
  }

  /**
   * Images given by URL and PDFs (decodeFile), in a message or a tool's output; input_audio,
   * file_id images and files and hosted-tool items have no cross-provider form (request-shape.ts names them).
   */
  other(type: string, kind: SegmentKind, _role: string, _turn: number, entry: JsonObject): void {
    if (this.answer) return;
    const part = type === 'input_image' ? decodeImage(entry) : type === 'input_file' ? decodeFile(entry) : undefined;
    if (!part) return;
    if (kind !== 'tool_result') this.parts.push(part);
    else if (this.open) this.open.content = withItem(this.open.content, part);
  }
}

function required(value: string | undefined, key: string, i: number): string {
  if (value === undefined || value === '') throw invalid(`input[${i}].${key} is required`, `input[${i}].${key}`);
  return value;
}

/** An `input_file` PDF: `file_data` (a data URL) or `file_url`. */
function decodeFile(part: JsonObject): IrDocument | undefined {
  const filename = asString(part['filename']);
  const data = asString(part['file_data']);
  if (data !== undefined) return pdfFromDataUrl(data, filename);
  const url = asString(part['file_url']);
  return url === undefined ? undefined : pdfAt(url, filename);
}

function decodeImage(part: JsonObject): IrImage | undefined {
  const url = asString(part['image_url']);
  if (url === undefined) return undefined; // file_id images live in OpenAI's file store
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  const image: IrImage = data
    ? { type: 'image', source: { kind: 'base64', mediaType: data[1] ?? '', data: data[2] ?? '' } }
    : { type: 'image', source: { kind: 'url', url } };
  const detail = asString(part['detail']);
  if (detail !== undefined) image.detail = detail;
  return image;
}
