// The request view: built on first use, one walk over the body, cached by the exchange.
import { protocolName, type JsonObject, type Protocol, type ProtocolName } from '../types.js';
import { Collector } from './collector.js';
import { noteMessages, toolsMessages, walkMessages } from './request-anthropic.js';
import { noteGenerate, toolsGenerate, walkEmbed, walkGenerate } from './request-gemini.js';
import { noteChat, noteResponses, toolsChat, toolsResponses, walkChat, walkEmbeddings, walkResponses } from './request-openai.js';
import { instructChat, instructGenerate, instructMessages, instructResponses } from './instruction.js';
import type { RequestView, Segment, SignatureInfo, ToolCallInfo, ToolEvent, ToolResultInfo, UnreadableField } from './types.js';

interface Shape {
  walk(body: JsonObject, c: Collector): void;
  note?(body: JsonObject, text: string): void;
  instruct?(body: JsonObject, text: string): void;
  turns(body: JsonObject): number;
  tools?(body: JsonObject): string[];
}

const count = (key: string) => (body: JsonObject) => (Array.isArray(body[key]) ? body[key].length : typeof body[key] === 'string' ? 1 : 0);
const geminiTurns = (body: JsonObject) => {
  const inner = body['generateContentRequest'] ?? body['generate_content_request'];
  const b = inner && typeof inner === 'object' && !Array.isArray(inner) ? inner : body;
  return Array.isArray(b['contents']) ? b['contents'].length : 0;
};

const SHAPES: Partial<Record<ProtocolName, Shape>> = {
  'openai.chat': { walk: walkChat, note: noteChat, instruct: instructChat, turns: count('messages'), tools: toolsChat },
  'openai.responses': { walk: walkResponses, note: noteResponses, instruct: instructResponses, turns: count('input'), tools: toolsResponses },
  'openai.embeddings': { walk: walkEmbeddings, turns: count('input') },
  'anthropic.messages': { walk: walkMessages, note: noteMessages, instruct: instructMessages, turns: count('messages'), tools: toolsMessages },
  'anthropic.count_tokens': { walk: walkMessages, note: noteMessages, instruct: instructMessages, turns: count('messages'), tools: toolsMessages },
  'gemini.generate': { walk: walkGenerate, note: noteGenerate, instruct: (b, t) => instructGenerate(b, t, false), turns: geminiTurns, tools: toolsGenerate },
  'gemini.count_tokens': { walk: walkGenerate, note: noteGenerate, instruct: (b, t) => instructGenerate(b, t, true), turns: geminiTurns, tools: toolsGenerate },
  'gemini.embed': { walk: walkEmbed, turns: (b) => (Array.isArray(b['requests']) ? b['requests'].length : 1) },
};
const NO_SHAPE: Shape = { walk: () => {}, turns: () => 0 };

class BodyView implements RequestView {
  private collected: Collector | undefined;
  /** Tool calls and results only, while nobody asked for segments. */
  private tools: Collector | undefined;
  private dirty = false;

  constructor(readonly protocol: Protocol, readonly body: JsonObject, private readonly shape: Shape, private readonly onChange?: () => void) {}

  get changed(): boolean { return this.dirty; }

  private collect(): Collector {
    if (!this.collected) {
      this.collected = new Collector(() => this.markChanged());
      this.shape.walk(this.body, this.collected);
    }
    return this.collected;
  }

  private collectTools(): Collector {
    if (this.collected) return this.collected;
    if (!this.tools) {
      this.tools = new Collector(() => this.markChanged(), false);
      this.shape.walk(this.body, this.tools);
    }
    return this.tools;
  }

  private markChanged(): void {
    if (!this.dirty) { this.dirty = true; this.onChange?.(); }
  }

  segments(): readonly Segment[] { return this.collect().segments; }
  unreadable(): readonly UnreadableField[] { return this.collect().unreadableFields; }
  toolCalls(): readonly ToolCallInfo[] { return this.collectTools().calls; }
  toolResults(): readonly ToolResultInfo[] { return this.collectTools().results; }
  toolEvents(): readonly ToolEvent[] { return this.collectTools().events; }
  userTextTurns(): readonly number[] { return this.collectTools().userTurns; }
  signatures(): readonly SignatureInfo[] { return this.collectTools().signatures; }
  toolNames(): readonly string[] { return this.shape.tools?.(this.body) ?? []; }
  turns(): number { return this.shape.turns(this.body); }

  addNote(text: string): void {
    if (!this.shape.note) throw new Error(`${protocolName(this.protocol)} requests cannot carry a note`);
    this.shape.note(this.body, text);
    this.added();
  }

  addInstruction(text: string): void {
    if (!this.shape.instruct) throw new Error(`${protocolName(this.protocol)} requests cannot carry a system instruction`);
    this.shape.instruct(this.body, text);
    this.added();
  }

  private added(): void {
    this.collected = undefined; // the added text is a new segment (and turns may have moved): walk again when asked
    this.tools = undefined;
    this.markChanged();
  }
}

/**
 * A view over `body`, which it reads and rewrites in place. `onChange` runs once, at the first
 * rewrite (the exchange uses it to stop sending the client's original bytes).
 */
export function createRequestView(protocol: Protocol, body: JsonObject, onChange?: () => void): RequestView {
  return new BodyView(protocol, body, SHAPES[protocolName(protocol)] ?? NO_SHAPE, onChange);
}
