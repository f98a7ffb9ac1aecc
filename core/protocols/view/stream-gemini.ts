// Gemini streams: text and thought channels per candidate, function calls whole (Gemini never
// streams arguments). Held text keeps the parts' order: it goes out as a part of its own just
// before the candidate's next part of another kind, before a signed part, or at the candidate's
// finish. A signed part (`thoughtSignature`) carries exactly its own text, whole: Gemini and the
// providers behind a translated stream check the signature against the part it sits on, so it is
// never split or merged with held text (QA: a thought's held tail moved after the functionCall and
// the next turn was refused, "Thought signature is not valid").
import { asArray, asObject } from '../json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../types.js';
import { Channels, makeChannel } from './stream-channels.js';
import type { DeltaTransform } from './types.js';

/** What a part continues: the text or the thought channel; anything else (calls, code, data) is 'other'. */
type PartKind = 'text' | 'reasoning' | 'other';

export async function* transformGeminiStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  const calls = new Map<number, number>();
  /** Per candidate, the kind of its last part: held text is flushed when the next part changes kind. */
  const lastKind = new Map<number, PartKind>();
  let last: JsonObject | undefined;
  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) { yield ev; continue; }
    last = data;
    const candidates = asArray(data['candidates']);
    /** Every part of this chunk was text held back whole, and its candidates carry nothing else. */
    let allHeld = candidates.length > 0;
    candidates.forEach((cand, ci) => {
      const c = asObject(cand);
      if (!c) return;
      const n = typeof c['index'] === 'number' ? c['index'] : ci;
      const content = asObject(c['content']);
      const parts = asArray(content?.['parts']);
      if (allHeld && (parts.length === 0 || !onlyContent(c, content))) allHeld = false;
      // Built only when held text has to go in between; otherwise the parts stay as they came.
      let out: JsonValue[] | undefined;
      for (let i = 0; i < parts.length; i++) {
        const part = asObject(parts[i]);
        if (!part) { out?.push(parts[i]!); continue; }
        const isText = typeof part['text'] === 'string';
        const kind: PartKind = isText ? (part['thought'] === true ? 'reasoning' : 'text') : 'other';
        const signed = part['thoughtSignature'] !== undefined;
        if (signed || kind !== (lastKind.get(n) ?? kind)) {
          const held = heldParts(channels, n);
          if (held.length) (out ??= parts.slice(0, i)).push(...held);
        }
        lastKind.set(n, kind);
        if (isText) {
          const ch = makeChannel(kind === 'reasoning' ? 'reasoning' : 'text', n, 0);
          const piece = part['text'] as string;
          const text = channels.delta(ch, piece);
          part['text'] = signed ? text + channels.end(ch.key) : text;
          if (part['text'] !== '' || piece === '' || Object.keys(part).length > (kind === 'reasoning' ? 2 : 1)) allHeld = false;
        } else {
          allHeld = false;
        }
        const call = asObject(part['functionCall']);
        if (call) {
          const k = calls.get(n) ?? 0;
          calls.set(n, k + 1);
          const ch = makeChannel('tool_arguments', n, k, { toolName: typeof call['name'] === 'string' ? call['name'] : undefined });
          const text = channels.delta(ch, JSON.stringify(call['args'] ?? {})) + channels.end(ch.key);
          call['args'] = JSON.parse(text) as JsonValue;
        }
        out?.push(part);
      }
      if (c['finishReason'] !== undefined) {
        const held = heldParts(channels, n);
        if (held.length) (out ??= parts.slice()).push(...held);
      }
      if (out) {
        allHeld = false;
        const target = content ?? (c['content'] = { role: 'model', parts: [] });
        target['parts'] = out;
      }
    });
    // A chunk whose text was all held back is not sent: a client would see parts with nothing in
    // them. (Its usageMetadata, if any, is a running total the next chunk repeats.)
    if (allHeld) continue;
    yield ev;
  }
  const rest = channels.endAll().filter((h) => h.text);
  if (rest.length) {
    const candidates: JsonValue[] = rest.map((h) => ({ index: h.channel.choice, content: { role: 'model', parts: [heldPart(h.channel.kind, h.text)] } }));
    const chunk: JsonObject = { candidates };
    if (typeof last?.['modelVersion'] === 'string') chunk['modelVersion'] = last['modelVersion'];
    yield { data: chunk };
  }
}

/** A candidate that carries its content and index only (no finish, no safety ratings or citations). */
function onlyContent(candidate: JsonObject, content: JsonObject | undefined): boolean {
  for (const key in candidate) if (key !== 'content' && key !== 'index') return false;
  if (content) for (const key in content) if (key !== 'parts' && key !== 'role') return false;
  return true;
}

/** Closes the candidate's open channels; what they held, as parts in the order the channels opened. */
function heldParts(channels: Channels, candidate: number): JsonObject[] {
  const out: JsonObject[] = [];
  for (const h of channels.endAll(candidate)) if (h.text) out.push(heldPart(h.channel.kind, h.text));
  return out;
}

function heldPart(kind: string, text: string): JsonObject {
  return kind === 'reasoning' ? { text, thought: true } : { text };
}
