// One Anthropic message's blocks (or the system prompt) as core's reader reports them
// (readMessagesTurn), as IR parts: shared by the request decoder (every turn) and the response
// decoder (the answer, a message of the same shape), so both read text, thinking and calls alike.
// What a request's blocks carry that the IR cannot, request-shape.ts names.
import {
  asObject, asString,
  type ArgumentsForm, type BodyContainer, type BodyPath, type JsonObject, type JsonValue, type RequestSink, type SegmentKind,
} from '../../../../core/index.js';
import type { IrDocument, IrImage, IrPart, IrResultContent, IrText, IrToolResult } from '../../ir.js';
import { PDF, pdfAt } from '../../documents.js';
import { unpackHidden } from '../../hidden-reasoning.js';
import { bareId, splitSignature } from '../../tool-call-ids.js';
import { withItem } from '../../util.js';

function decodeText(b: JsonObject): IrText {
  const part: IrText = { type: 'text', text: asString(b['text']) ?? '' };
  const cache = asObject(b['cache_control']);
  if (cache) part.cache = cache;
  return part;
}

/**
 * The IR parts of one message (or the system prompt), from core's reading of its blocks: this
 * file adds what only translation needs — cache hints, images and ids carrying signatures. An `answer` (a response's content) makes text, thinking and tool
 * calls only: the blocks of tools Anthropic ran itself (server_tool_use, web_search_tool_result…)
 * are not for the client, and ids are the upstream's own.
 */
export class BlockReader implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  parts: IrPart[] = [];
  /** The tool result whose content blocks are being read. */
  private open: IrToolResult | undefined;

  constructor(private readonly callNames: Map<string, string>, private readonly answer = false) {}

  text(kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const block = key === 'text' ? owner as JsonObject : undefined;
    let part: IrText;
    if (block) {
      part = decodeText(block);
    } else {
      // A string content (message, tool result or system) holds no block: an empty one is nothing.
      const text = asString((owner as JsonObject)[key]) ?? '';
      if (text === '') return;
      part = { type: 'text', text };
    }
    if (kind === 'tool_result') { if (this.open) this.open.content = withItem(this.open.content, part); }
    else this.parts.push(part);
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const raw = field === undefined ? undefined : asString(owner[field]);
    // Text the client was not shown comes back inside the signature (hidden-reasoning.ts).
    const hidden = raw === undefined ? undefined : unpackHidden(raw);
    const signature = hidden ? hidden.signature : raw;
    const own = typeof textKey === 'string' ? asString(owner[textKey]) ?? '' : '';
    const text = own === '' && hidden ? hidden.text : own;
    this.parts.push(signature ? { type: 'thinking', text, signature } : { type: 'thinking', text });
  }

  redacted(_role: string, _turn: number, owner: JsonObject, field: string): void {
    this.parts.push({ type: 'redacted_thinking', data: asString(owner[field]) ?? '' });
  }

  signature(): void {} // Anthropic signs reasoning only

  call(rawId: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, _form: ArgumentsForm, _entry: JsonObject): void {
    // A Gemini function-call signature Sluice put in the id comes back out of it (tool-call-ids.ts).
    const { id, signature } = this.answer ? { id: rawId ?? '', signature: undefined } : splitSignature(rawId ?? '');
    this.callNames.set(id, name);
    const call: IrPart = { type: 'tool_call', id, name, arguments: JSON.stringify(owner[key] ?? {}) };
    if (signature !== undefined) call.signature = signature;
    this.parts.push(call);
  }

  result(rawId: string | undefined, _name: string | undefined, _output: JsonValue | undefined, isError: boolean, _role: string, _turn: number, _at: BodyPath, _entry: JsonObject): void {
    if (this.answer) return;
    const callId = bareId(rawId ?? '');
    const result: IrToolResult = { type: 'tool_result', callId, content: [], isError };
    const name = this.callNames.get(callId);
    if (name !== undefined) result.name = name;
    this.parts.push((this.open = result));
  }

  /**
   * Images, documents with a text source as text (documentText), and PDFs (base64 or url source,
   * pdfDocument), in a message or a tool result; search results, server-tool blocks and non-text
   * system blocks have no IR part.
   */
  other(type: string, kind: SegmentKind, _role: string, turn: number, entry: JsonObject): void {
    if (this.answer || turn < 0) return;
    const pdf = type === 'document' ? pdfDocument(entry) : undefined;
    // A PDF's context (what the document is, for the model) has no place beside the file elsewhere: a text before it.
    const context = pdf ? asString(entry['context']) : undefined;
    const parts: IrResultContent[] = [];
    if (context) parts.push({ type: 'text', text: context });
    const part = pdf ?? (type === 'image' ? decodeImage(entry) : type === 'document' ? documentText(entry) : undefined);
    if (!part) return; // a `file` source
    parts.push(part);
    if (kind !== 'tool_result') this.parts.push(...parts);
    else if (this.open) for (const p of parts) this.open.content = withItem(this.open.content, p);
  }
}

/**
 * A document whose source is text (`source.type: text`, or `content`: a string or text blocks), as
 * one text part every provider reads: its title and context first, each on a line of its own, then
 * its text. Other providers have no document block, and without this the model would never see it.
 */
function documentText(b: JsonObject): IrText | undefined {
  const source = asObject(b['source']);
  let text: string | undefined;
  if (source?.['type'] === 'text') {
    text = asString(source['data']);
  } else if (source?.['type'] === 'content') {
    const content = source['content'];
    text = typeof content === 'string' ? content
      : Array.isArray(content) ? content.map((c) => (asObject(c)?.['type'] === 'text' ? asString(asObject(c)?.['text']) : undefined)).filter((t) => t !== undefined).join('\n\n')
      : undefined;
  }
  if (text === undefined) return undefined;
  const title = asString(b['title']);
  const context = asString(b['context']);
  const head = [title === undefined ? undefined : `Document: ${title}`, context].filter((l) => l !== undefined && l !== '');
  return { type: 'text', text: head.length ? `${head.join('\n')}\n\n${text}` : text };
}

/** A PDF document (`base64` or `url` source; Anthropic takes only PDFs there), its title as the filename. */
function pdfDocument(b: JsonObject): IrDocument | undefined {
  const source = asObject(b['source']);
  const title = asString(b['title']);
  const data = asString(source?.['data']);
  if (source?.['type'] === 'base64' && asString(source['media_type']) === PDF && data !== undefined) {
    const doc: IrDocument = { type: 'document', source: { kind: 'base64', data } };
    if (title !== undefined) doc.filename = title;
    return doc;
  }
  const url = asString(source?.['url']);
  return source?.['type'] === 'url' && url !== undefined ? pdfAt(url, title) : undefined;
}

function decodeImage(b: JsonObject): IrImage | undefined {
  const source = asObject(b['source']);
  const kind = asString(source?.['type']);
  if (kind === 'base64') {
    return { type: 'image', source: { kind: 'base64', mediaType: asString(source?.['media_type']) ?? 'image/png', data: asString(source?.['data']) ?? '' } };
  }
  const url = asString(source?.['url']);
  if (kind === 'url' && url !== undefined) return { type: 'image', source: { kind: 'url', url } };
  return undefined; // `file` sources point into Anthropic's Files API: nothing another provider can read
}
