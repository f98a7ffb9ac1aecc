// The view's sink over the per-protocol readers: segments with in-place setters, tool calls and results
// in order. The readers (request-*.ts) say what is where; this file knows how to read and rewrite it.
import { exceedsJsonDepth } from '../json-depth.js';
import { spliceJson } from '../json-splice.js';
import { canonicalArguments, canonicalJson } from '../canonical-json.js';
import type { JsonObject, JsonValue } from '../types.js';
import { skipped, type ArgumentsForm, type Container, type RequestSink } from './sink.js';
import type { BodyPath, Segment, SegmentKind, SignatureInfo, ToolCallInfo, ToolEvent, ToolResultInfo, UnreadableField } from './types.js';

/**
 * Arguments sent as JSON text escape ingress's max_json_depth (they are one string there): parsed and
 * walked, 4 MB of them nested 200,000 deep held the event loop ~2 s, mostly in GC (QA). Past this
 * depth (server.max_json_depth's default) they are scanned as the text they are. Only long texts are
 * checked: a short one cannot nest deep enough to cost anything.
 */
const ARGUMENTS_MAX_DEPTH = 128;
const DEPTH_CHECKED_FROM = 16 * 1024;

/**
 * Where a container sits: a path, or a link to its parent's place and its key. Nested arguments
 * are walked with links, spelled out as a path only when one is read: copying the path at every
 * level made a deep value cost its depth squared.
 */
type Place = BodyPath | { readonly up: Place; readonly key: string | number };
/** A container being walked: its keys (an array's are its indexes) and the next one to read. */
interface Frame { readonly value: Container; readonly keys: string[] | undefined; readonly size: number; next: number; readonly at: Place }

export class Collector implements RequestSink {
  readonly paths = true;
  readonly segments: Segment[] = [];
  readonly calls: ToolCallInfo[] = [];
  readonly results: ToolResultInfo[] = [];
  readonly events: ToolEvent[] = [];
  readonly signatures: SignatureInfo[] = [];
  /** Turns holding text of kind 'user', ascending, once each: collected in both modes. */
  readonly userTurns: number[] = [];
  /** Content-bearing fields skipped for their type; one shared empty list until there is one (the usual case). */
  private skippedFields: UnreadableField[] | undefined;

  /**
   * `allText: false` collects only tool calls, results and which turns hold user text: a plugin that reads the tool history
   * (the loop detector) does not pay for a setter per string of the conversation.
   */
  constructor(private readonly changed: () => void, readonly allText = true) {}

  get unreadableFields(): readonly UnreadableField[] { return this.skippedFields ?? NO_FIELDS; }

  unreadable(value: JsonValue, at: BodyPath, key: string | number): void {
    if (this.allText) (this.skippedFields ??= []).push({ path: [...at, key], value });
  }

  /**
   * A string at container[key]; `at` is the container's path. Readers call this where the protocol
   * keeps a text (a field absent or null holds none): anything else there is unreadable.
   */
  text(kind: SegmentKind, role: string, turn: number, container: Container, key: string | number, at: BodyPath): void {
    if (!this.allText && kind !== 'user') return;
    const value = (container as Record<string | number, JsonValue>)[key];
    if (typeof value !== 'string') { skipped(this, value, at, key); return; }
    if (kind === 'user' && this.userTurns[this.userTurns.length - 1] !== turn) this.userTurns.push(turn);
    if (!this.allText) return;
    this.segments.push(new Slot(kind, role, turn, at, key, container, key, this.changed, undefined));
    if (!Array.isArray(container) && Array.isArray(container['citations'])) this.citations(kind, role, turn, container['citations'], at);
  }

  /**
   * Anthropic text blocks sent back with their citations: each quotes its source in `cited_text`
   * (and names it in `document_title`), which goes to the provider with the block. Read here, in the
   * view only, so the translator does not take the quotes for text of the turn.
   */
  private citations(kind: SegmentKind, role: string, turn: number, list: JsonValue[], at: BodyPath): void {
    for (let i = 0; i < list.length; i++) {
      const citation = list[i];
      if (!citation || typeof citation !== 'object' || Array.isArray(citation)) continue;
      const citationAt = [...at, 'citations', i];
      for (const key of ['cited_text', 'document_title', 'title']) {
        if (typeof citation[key] === 'string') this.segments.push(new Slot(kind, role, turn, citationAt, key, citation, key, this.changed, undefined));
      }
    }
  }

  /** Reasoning text (a string or a list of parts with `text`) and the signature over it. */
  reasoning(role: string, turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, field: string | undefined, at: BodyPath): void {
    // What the signature covers: the first of the keys that holds any text (a Responses reasoning
    // item's summary, else the raw reasoning of open-weight models), as the translator reads it.
    if (this.allText && textKey !== undefined) {
      if (typeof textKey === 'string') this.textOrParts('reasoning', role, turn, owner, textKey, at);
      else for (const key of textKey) this.textOrParts('reasoning', role, turn, owner, key, at);
    }
    if (field === undefined) return; // no signature: nothing to say what it covers
    const first = typeof textKey === 'string' ? textKey : textKey?.find((key) => coveredText(owner[key]) !== '') ?? textKey?.[0];
    this.addSignature('reasoning', owner, field, first === undefined ? undefined : owner[first], turn, at);
  }

  /** Encrypted reasoning: its data is kept with the signatures (valid only where it was issued). */
  redacted(_role: string, turn: number, owner: JsonObject, field: string, at: BodyPath): void {
    this.addSignature('reasoning', owner, field, undefined, turn, at);
  }

  signature(signs: 'tool_call' | 'text' | 'part', owner: JsonObject, field: string, turn: number, at: BodyPath): void {
    this.addSignature(signs === 'tool_call' ? signs : 'text', owner, field, undefined, turn, at);
  }

  /**
   * Of the entries the shared reading leaves to each sink, those that carry text the model reads:
   * Anthropic `document` blocks with a text source (`source.data`) or a content source
   * (`source.content`: a string or text blocks), their `title` and `context`, and `search_result`
   * blocks (`title`, `content` text blocks) — at a turn's top level or inside a tool result; and the
   * calls and results of hosted and server tools (HOSTED_TOOL_TEXT). Read here and not in the shared
   * reader, so the translator keeps handing documents on as documents.
   */
  other(type: string, kind: SegmentKind, role: string, turn: number, entry: JsonObject, at: BodyPath): void {
    if (!this.allText) return;
    const hosted = HOSTED_TOOL_TEXT.get(type);
    if (hosted) {
      for (const key of hosted.keys) {
        const value = entry[key];
        if (typeof value === 'string') {
          if (hosted.jsonText?.includes(key)) this.jsonText(hosted.kind, role, turn, entry, key, at);
          else this.text(hosted.kind, role, turn, entry, key, at);
        } else if (value && typeof value === 'object') {
          this.walkLeaves(hosted.kind, role, turn, value, [...at, key], undefined, OPAQUE_KEYS);
        }
      }
      return;
    }
    if (type !== 'document' && type !== 'search_result') return;
    if (type === 'document') {
      const source = entry['source'];
      if (source && typeof source === 'object' && !Array.isArray(source)) {
        const sourceAt = [...at, 'source'];
        if (source['type'] === 'text') this.text(kind, role, turn, source, 'data', sourceAt);
        else if (source['type'] === 'content') this.textBlocks(kind, role, turn, source, 'content', sourceAt);
      } else skipped(this, source, at, 'source');
      this.text(kind, role, turn, entry, 'title', at);
      this.text(kind, role, turn, entry, 'context', at);
      return;
    }
    this.text(kind, role, turn, entry, 'title', at);
    this.textBlocks(kind, role, turn, entry, 'content', at);
  }

  /** owner[key] as a string, or a list of blocks of which the `text` ones are read. */
  private textBlocks(kind: SegmentKind, role: string, turn: number, owner: JsonObject, key: string, path: BodyPath): void {
    const value = owner[key];
    if (typeof value === 'string') { this.text(kind, role, turn, owner, key, path); return; }
    if (!Array.isArray(value)) { skipped(this, value, path, key); return; }
    for (let i = 0; i < value.length; i++) {
      const block = value[i];
      if (block && typeof block === 'object' && !Array.isArray(block)) { if (block['type'] === 'text') this.text(kind, role, turn, block, 'text', [...path, key, i]); }
      else skipped(this, block, [...path, key], i);
    }
  }

  private textOrParts(kind: SegmentKind, role: string, turn: number, owner: JsonObject, key: string, path: BodyPath): void {
    const value = owner[key];
    if (typeof value === 'string') { this.text(kind, role, turn, owner, key, path); return; }
    if (!Array.isArray(value)) { skipped(this, value, path, key); return; }
    for (let i = 0; i < value.length; i++) {
      const part = value[i];
      if (part && typeof part === 'object' && !Array.isArray(part)) this.text(kind, role, turn, part, 'text', [...path, key, i]);
      else skipped(this, part, [...path, key], i);
    }
  }

  /** Every string leaf of a JSON value held at owner[key] (tool arguments, structured results). */
  private leaves(kind: SegmentKind, role: string, turn: number, owner: JsonObject, key: string, path: BodyPath): void {
    if (!this.allText) return;
    const value = owner[key];
    if (value && typeof value === 'object') this.walkLeaves(kind, role, turn, value, [...path, key], undefined);
    else skipped(this, value, path, key); // a JSON value (an object) belongs here
  }

  /**
   * Tool arguments sent as JSON text (OpenAI): each string leaf is a segment; rewriting one
   * re-serialises the arguments. Text that is not JSON is one segment.
   */
  private jsonText(kind: SegmentKind, role: string, turn: number, owner: JsonObject, key: string, path: BodyPath): void {
    if (!this.allText) return;
    const raw = owner[key];
    if (typeof raw !== 'string') { skipped(this, raw, path, key); return; }
    if (raw.length > DEPTH_CHECKED_FROM && exceedsJsonDepth(Buffer.from(raw), ARGUMENTS_MAX_DEPTH)) {
      this.text(kind, role, turn, owner, key, path);
      return;
    }
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(raw) as JsonValue;
    } catch {
      this.text(kind, role, turn, owner, key, path);
      return;
    }
    if (typeof parsed === 'string') { this.text(kind, role, turn, owner, key, path); return; }
    if (parsed && typeof parsed === 'object') {
      // Re-serialised from `raw`: the arguments' other values (an id beyond 2^53) stay as the client wrote them.
      this.walkLeaves(kind, role, turn, parsed, [...path, key], () => { owner[key] = spliceJson(raw, parsed); });
    }
  }

  /** A tool call, and the strings of its arguments as segments (rewriting one rewrites the arguments). */
  call(id: string | undefined, name: string, role: string, turn: number, at: BodyPath, owner: JsonObject, key: string, ownerAt: BodyPath, form: ArgumentsForm, _entry: JsonObject): void {
    const info = new CallEvent(id, name, owner[key], form === 'free_text', turn, at);
    this.calls.push(info);
    this.events.push(info);
    if (form === 'json_text') this.jsonText('tool_arguments', role, turn, owner, key, ownerAt);
    else if (form === 'value') this.leaves('tool_arguments', role, turn, owner, key, ownerAt);
    else this.text('tool_arguments', role, turn, owner, key, ownerAt);
  }

  /** A tool result; a structured one's string leaves are its segments (list content comes as text events). */
  result(callId: string | undefined, name: string | undefined, output: JsonValue | undefined, isError: boolean, role: string, turn: number, path: BodyPath, _entry: JsonObject, structuredAt?: BodyPath): void {
    const info = new ResultEvent(callId, name, output, isError, turn, path);
    this.results.push(info);
    this.events.push(info);
    if (structuredAt && this.allText && output && typeof output === 'object') this.walkLeaves('tool_result', role, turn, output, structuredAt, undefined);
  }

  /** A signature at owner[field] (or where one belongs), over `covered`: the reasoning text or its parts. */
  private addSignature(signs: SignatureInfo['signs'], owner: JsonObject, field: string, covered: JsonValue | undefined, turn: number, path: BodyPath): void {
    const value = owner[field];
    this.signatures.push(new SignatureEvent(signs, typeof value === 'string' ? value : undefined, field, covered, typeof owner['id'] === 'string' ? owner['id'] : undefined, turn, path));
  }

  /**
   * Every string leaf under `root`, in document order, to any depth: with a stack of frames, not
   * recursion, which a deep value (a tool result nested 100,000 levels) would overflow.
   */
  private walkLeaves(kind: SegmentKind, role: string, turn: number, root: Container, path: BodyPath, written: (() => void) | undefined, skip?: ReadonlySet<string>): void {
    const frames: Frame[] = [frame(root, path)];
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      if (f.next === f.size) { frames.pop(); continue; }
      const k = f.keys ? f.keys[f.next++]! : f.next++;
      if (skip && typeof k === 'string' && skip.has(k)) continue;
      const v = (f.value as Record<string | number, JsonValue>)[k];
      if (typeof v === 'string') this.segments.push(new Slot(kind, role, turn, f.at, k, f.value, k, this.changed, written));
      else if (v && typeof v === 'object') frames.push(frame(v, { up: f.at, key: k }));
    }
  }
}

/**
 * Calls and results of tools the provider or the client runs without a function definition, sent
 * back in the history: where their text is (a string is one segment; an object or list, each of its
 * string leaves but those under OPAQUE_KEYS; `jsonText` keys hold JSON text, walked like function
 * arguments). A shell command, its output, a patch, an MCP call's arguments and result, a search
 * query carry what the user's data carries; left unread, the firewall let them through unscanned.
 */
// A Map, not an object literal: the type is the client's (`constructor`, `__proto__` must find nothing).
const HOSTED_TOOL_TEXT = new Map<string, { kind: SegmentKind; keys: readonly string[]; jsonText?: readonly string[] }>(Object.entries({
  // Responses input items
  local_shell_call: { kind: 'tool_arguments', keys: ['action'] },
  local_shell_call_output: { kind: 'tool_result', keys: ['output'] },
  shell_call: { kind: 'tool_arguments', keys: ['action'] },
  shell_call_output: { kind: 'tool_result', keys: ['output'] },
  apply_patch_call: { kind: 'tool_arguments', keys: ['operation'] },
  apply_patch_call_output: { kind: 'tool_result', keys: ['output'] },
  mcp_call: { kind: 'tool_arguments', keys: ['arguments', 'output', 'error'], jsonText: ['arguments'] },
  mcp_approval_request: { kind: 'tool_arguments', keys: ['arguments'], jsonText: ['arguments'] },
  code_interpreter_call: { kind: 'tool_arguments', keys: ['code', 'outputs'] },
  web_search_call: { kind: 'tool_arguments', keys: ['action'] },
  file_search_call: { kind: 'tool_result', keys: ['queries', 'results'] },
  computer_call: { kind: 'tool_arguments', keys: ['action'] },
  // Anthropic blocks
  server_tool_use: { kind: 'tool_arguments', keys: ['input'] },
  mcp_tool_use: { kind: 'tool_arguments', keys: ['input'] },
  mcp_tool_result: { kind: 'tool_result', keys: ['content'] },
  code_execution_tool_result: { kind: 'tool_result', keys: ['content'] },
  bash_code_execution_tool_result: { kind: 'tool_result', keys: ['content'] },
  text_editor_code_execution_tool_result: { kind: 'tool_result', keys: ['content'] },
  // Gemini code execution parts (the part is the entry; either spelling the API takes)
  executableCode: { kind: 'tool_arguments', keys: ['executableCode'] },
  executable_code: { kind: 'tool_arguments', keys: ['executable_code'] },
  codeExecutionResult: { kind: 'tool_result', keys: ['codeExecutionResult'] },
  code_execution_result: { kind: 'tool_result', keys: ['code_execution_result'] },
}));

const NO_FIELDS: readonly UnreadableField[] = Object.freeze([]);

/** Inside hosted tool entries: ids, kinds, images and opaque data, never text to scan or rewrite. */
const OPAQUE_KEYS: ReadonlySet<string> = new Set([
  'type', 'id', 'call_id', 'tool_use_id', 'file_id', 'container_id', 'status', 'encrypted_content', 'signature', 'image_url', 'media_type',
]);

function frame(value: Container, at: Place): Frame {
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  return { value, keys, size: keys ? keys.length : (value as JsonValue[]).length, next: 0, at };
}

/** The path a place stands for. */
function spell(place: Place): BodyPath {
  const keys: (string | number)[] = [];
  let p = place;
  while (!isPath(p)) { keys.push(p.key); p = p.up; }
  return keys.length ? [...p, ...keys.reverse()] : p;
}

function isPath(place: Place): place is BodyPath {
  return Array.isArray(place);
}

/**
 * A text segment: where it sits (container[key]) and how to say it changed. One object per string of
 * the conversation and no closures — a long history has thousands — and its path is spelled out
 * only when read (a finding's location).
 */
class Slot implements Segment {
  constructor(
    readonly kind: SegmentKind, readonly role: string, readonly turn: number,
    /** The path, or the container's place when `last` is the key to add. */
    private readonly base: Place, private readonly last: string | number | undefined,
    private readonly container: Container, private readonly key: string | number,
    private readonly changed: () => void,
    /** Runs after a rewrite (re-serialises JSON-text arguments). */
    private readonly written: (() => void) | undefined,
  ) {}

  get path(): BodyPath { return this.last === undefined ? spell(this.base) : [...spell(this.base), this.last]; }

  get text(): string { return (this.container as Record<string | number, JsonValue>)[this.key] as string; }

  set(t: string): void {
    if (t === this.text) return;
    (this.container as Record<string | number, JsonValue>)[this.key] = t;
    this.written?.();
    this.changed();
  }
}

/**
 * A tool call, also its own event. The canonical arguments are made on first read: a reader of the
 * tool history (the loop detector) looks at its last few calls, not at every call of a long
 * conversation. The arguments are those the body held at the walk (a JSON string) or hold at the
 * first read (an object, which a rewrite changes in place).
 */
class CallEvent implements ToolCallInfo {
  readonly type = 'call' as const;
  private canonical: string | undefined;
  constructor(readonly id: string | undefined, readonly name: string, private readonly args: JsonValue | undefined, private readonly raw: boolean, readonly turn: number, readonly path: BodyPath) {}
  get arguments(): string {
    return (this.canonical ??= this.raw && typeof this.args === 'string' ? this.args : canonicalArguments(this.args));
  }
  toJSON(): object { return { type: this.type, id: this.id, name: this.name, arguments: this.arguments, turn: this.turn, path: this.path }; }
}

/** A tool result, also its own event; its text is made on first read (see CallEvent). */
class ResultEvent implements ToolResultInfo {
  readonly type = 'result' as const;
  private joined: string | undefined;
  private others: string | undefined;
  constructor(readonly callId: string | undefined, readonly name: string | undefined, private readonly output: JsonValue | undefined, readonly isError: boolean, readonly turn: number, readonly path: BodyPath) {}
  get text(): string { return (this.joined ??= resultText(this.output)); }
  get attachments(): string { return (this.others ??= resultAttachments(this.output)); }
  toJSON(): object { return { type: this.type, callId: this.callId, name: this.name, text: this.text, isError: this.isError, turn: this.turn, path: this.path }; }
}

/** A signature; the text it covers is joined on first read (see CallEvent). */
class SignatureEvent implements SignatureInfo {
  private joined: string | undefined;
  constructor(readonly signs: SignatureInfo['signs'], readonly value: string | undefined, readonly field: string, private readonly covered: JsonValue | undefined, readonly id: string | undefined, readonly turn: number, readonly path: BodyPath) {}
  get text(): string { return (this.joined ??= coveredText(this.covered)); }
  toJSON(): object { return { signs: this.signs, value: this.value, field: this.field, text: this.text, id: this.id, turn: this.turn, path: this.path }; }
}

/** Reasoning text: a string, or a list of summary parts' texts, one a line. */
function coveredText(covered: JsonValue | undefined): string {
  if (typeof covered === 'string') return covered;
  if (!Array.isArray(covered)) return '';
  return covered.map((p) => (p && typeof p === 'object' && !Array.isArray(p) && typeof p['text'] === 'string' ? p['text'] : '')).join('\n');
}

/** The non-empty names `name` finds in a list of tool declarations. */
export function names(list: JsonValue | undefined, name: (tool: JsonObject) => JsonValue | undefined): string[] {
  const out: string[] = [];
  if (!Array.isArray(list)) return out;
  for (const t of list) {
    const n = t && typeof t === 'object' && !Array.isArray(t) ? name(t) : undefined;
    if (typeof n === 'string' && n) out.push(n);
  }
  return out;
}

const isTextPart = (part: JsonValue): boolean => typeof part === 'string' || (!!part && typeof part === 'object' && !Array.isArray(part) && typeof part['text'] === 'string');

/** The parts resultText leaves out of a list that has text parts, as canonical JSON; '' when none. */
function resultAttachments(output: JsonValue | undefined): string {
  if (!Array.isArray(output) || !output.some(isTextPart)) return '';
  const others = output.filter((part) => !isTextPart(part));
  return others.length ? canonicalJson(others) : '';
}

/** A tool result's text: a string, the text parts of a list, or canonical JSON of a structure. */
function resultText(output: JsonValue | undefined): string {
  if (output === undefined || output === null) return '';
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    const texts: string[] = [];
    for (const part of output) {
      if (typeof part === 'string') texts.push(part);
      else if (part && typeof part === 'object' && !Array.isArray(part) && typeof part['text'] === 'string') texts.push(part['text']);
    }
    if (texts.length) return texts.join('\n');
  }
  return canonicalJson(output);
}
