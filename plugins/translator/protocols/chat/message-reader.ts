// One Chat message as core's reader reports it (readChatMessage), gathered into IR parts: shared by
// the request decoder (every message of a conversation) and the response decoder (the answer's
// message, which has the same shape), so both read content, refusals, reasoning and calls alike.
import {
  asArray, asObject, asString, readChatMessage,
  type ArgumentsForm, type BodyContainer, type BodyPath, type JsonObject, type RequestSink, type SegmentKind,
} from '../../../../core/index.js';
import type { IrDocument, IrImage, IrPart, IrRedactedThinking, IrText, IrThinking } from '../../ir.js';
import { pdfFromDataUrl } from '../../documents.js';
import { invalid, withItem } from '../../util.js';
import { imageUrlToIr } from './content.js';
import { toolCallSignature } from './provider-state.js';

/**
 * One message as core's reader reports it (readChatMessage), gathered for the request decoder's
 * policies (leading system messages, consecutive tool results) and assistantParts below.
 * Content parts other than text and refusal are read here: images (what is dropped, the request shape names).
 * An `answer` (a response's message) is read leniently: a call without an id or a name is kept,
 * with a minted id, where a request would be refused.
 */
export class MessageReader implements RequestSink {
  readonly paths = false;
  readonly allText = true;
  /** Text parts, images in user and tool messages only (the others carry text alone), PDFs in user messages. */
  content: (IrText | IrImage | IrDocument)[] = [];
  /** reasoning_content (or reasoning): the text a streaming client rebuilt. */
  reasoningText: string | undefined;
  /** reasoning_details: thinking with signatures, redacted thinking. */
  details: (IrThinking | IrRedactedThinking)[] | undefined;
  refusal: string | undefined;
  /** An assistant message's calls, checked and named. */
  calls: IrPart[] | undefined;
  resultId: string | undefined;
  resultName: string | undefined;
  private message: JsonObject = {};
  private assistant = false;
  private index = 0;

  constructor(
    private readonly drop: (name: string) => void,
    /** Tool names by call id, so tool results can name their function (Gemini needs it). */
    readonly callNames: Map<string, string>,
    /** Legacy `function_call`s have no id: the `function` message answering one matches it by name. */
    readonly legacyCalls: { id: string; name: string }[],
    readonly answer = false,
  ) {}

  read(m: JsonObject, i: number, role: string): void {
    this.message = m;
    this.assistant = role === 'assistant';
    this.index = i;
    this.content = [];
    this.reasoningText = this.refusal = this.resultId = this.resultName = undefined;
    this.details = this.calls = undefined;
    readChatMessage(m, i, this);
  }

  /** The text parts of a message that holds nothing else (all but user and tool messages). */
  texts(): IrText[] {
    return this.content as IrText[];
  }

  text(_kind: SegmentKind, _role: string, _turn: number, owner: BodyContainer, key: string | number): void {
    const text = asString((owner as JsonObject)[key]);
    if (owner === this.message && key === 'refusal') { this.refusal = text; return; }
    if (text === undefined) { this.drop(`messages[${this.index}].content(text that is not a string)`); return; }
    this.content = withItem<IrText | IrImage | IrDocument>(this.content, { type: 'text', text });
  }

  reasoning(_role: string, _turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined): void {
    const text = typeof textKey === 'string' ? asString(owner[textKey]) : undefined;
    if (owner === this.message) { this.reasoningText ??= text; return; }
    const signature = field === undefined ? undefined : asString(owner[field]);
    (this.details ??= []).push(signature ? { type: 'thinking', text: text ?? '', signature } : { type: 'thinking', text: text ?? '' });
  }

  redacted(_role: string, _turn: number, owner: JsonObject, field: string): void {
    const data = asString(owner[field]);
    if (data) (this.details ??= []).push({ type: 'redacted_thinking', data });
  }

  signature(): void {}

  call(id: string | undefined, name: string, _role: string, _turn: number, _at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, form: ArgumentsForm, entry: JsonObject): void {
    if (!this.assistant) return; // only an assistant calls tools
    // A freeform (custom) call's raw text rides in the IR as the single `input` argument.
    const args = form === 'free_text' ? JSON.stringify({ input: asString(owner[key]) ?? '' }) : asString(owner[key]) ?? '';
    const calls = (this.calls ??= []);
    if (entry === this.message['function_call']) {
      const legacyId = this.answer ? 'call_legacy' : `call_legacy_${this.index}`;
      if (!this.answer) {
        this.legacyCalls.push({ id: legacyId, name });
        this.callNames.set(legacyId, name);
      }
      calls.push({ type: 'tool_call', id: legacyId, name, arguments: args });
      return;
    }
    if (this.answer) id ||= `call_${this.position(entry)}`;
    else {
      if (!id) throw invalid(`${this.where(entry)}.id is required`, `${this.where(entry)}.id`);
      if (!name) throw invalid(`${this.where(entry)} needs a function name`, this.where(entry));
      this.callNames.set(id, name);
    }
    const signature = toolCallSignature(entry);
    calls.push(signature ? { type: 'tool_call', id, name, arguments: args, signature } : { type: 'tool_call', id, name, arguments: args });
  }

  private position(entry: JsonObject): number {
    return asArray(this.message['tool_calls']).indexOf(entry);
  }

  private where(entry: JsonObject): string {
    return `messages[${this.index}].tool_calls[${this.position(entry)}]`;
  }

  result(callId: string | undefined, name: string | undefined): void {
    this.resultId = callId;
    this.resultName = name;
  }

  other(type: string, kind: SegmentKind, role: string, _turn: number, entry: JsonObject): void {
    if (kind === 'reasoning') return; // reasoning_details of a kind nobody defined
    if (type === 'image_url' && (role === 'user' || role === 'tool')) {
      const j = asArray(this.message['content']).indexOf(entry);
      this.content = withItem(this.content, imageUrlToIr(entry, `messages[${this.index}].content[${j}].image_url`));
      return;
    }
    if (type === 'file' && role === 'user' && !this.answer) {
      const j = asArray(this.message['content']).indexOf(entry);
      const file = asObject(entry['file']);
      const data = asString(file?.['file_data']);
      const pdf = data === undefined ? undefined : pdfFromDataUrl(data, asString(file?.['filename']));
      if (pdf) this.content = withItem(this.content, pdf);
      // Another file type, or a file_id (OpenAI's Files API), reaches no other provider.
      else if (data !== undefined) this.drop(`messages[${this.index}].content[${j}].file(not a PDF)`);
      return;
    }
    // A few OpenAI-compatible servers answer with content parts of their own types.
    const text = this.answer ? asString(entry['text']) : undefined;
    if (text !== undefined) { this.content = withItem<IrText | IrImage | IrDocument>(this.content, { type: 'text', text }); return; }
    // input_audio, file, images outside user and tool messages: no IR part carries them (the request shape names them).
  }
}

export function assistantParts(reader: MessageReader): IrPart[] {
  const parts: IrPart[] = [];
  const details = reader.details;
  const reasoningText = reader.reasoningText;
  if (details) parts.push(...withReasoningText(details, reasoningText, reader.answer));
  else if (reasoningText) parts.push({ type: 'thinking', text: reasoningText });
  for (const t of reader.texts()) if (t.text !== '') parts.push(t);
  if (reader.refusal) parts.push({ type: 'text', text: reader.refusal });
  if (reader.calls) parts.push(...reader.calls);
  return parts;
}

/**
 * The details, with a signature that came without its text resolved. A detail that holds text and
 * signature is whole (Sluice sends them so, streamed or not). A signature alone next to
 * `reasoning_content` is another matter in a request: a client that rebuilt a streamed message
 * with the openai SDK's stream helper keeps only the last reasoning piece (see
 * stream-reasoning.ts), and that text with the signature is a 400 at Anthropic ("Invalid
 * `signature` in `thinking` block"). Nothing tells a whole text from a piece, so the signature is
 * not sent: the reasoning goes on unsigned (Anthropic then leaves thinking off for that turn, see
 * the Anthropic request encoder). A provider's answer is whole, so there the two are paired.
 */
function withReasoningText(details: (IrThinking | IrRedactedThinking)[], reasoningText: string | undefined, whole: boolean): IrPart[] {
  if (!reasoningText) return details;
  const textless = details.filter((d) => d.type === 'thinking' && d.text === '');
  if (textless.length === 0) return details;
  const onlyTextless = textless.length === 1 && details.every((d) => d.type !== 'thinking' || d === textless[0]);
  if (whole && onlyTextless) return details.map((d) => (d === textless[0] ? { ...d, text: reasoningText } : d));
  // The text belongs to no detail that says so: kept once, unsigned, where the textless detail was.
  let placed = details.some((d) => d.type === 'thinking' && d.text !== '');
  const out: IrPart[] = [];
  for (const d of details) {
    if (d.type !== 'thinking' || d.text !== '') { out.push(d); continue; }
    if (!placed) { out.push({ type: 'thinking', text: reasoningText }); placed = true; }
  }
  return out;
}
