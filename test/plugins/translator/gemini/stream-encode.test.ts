// encodeStream (Gemini as the client protocol): protocol invariants on every chunk, and
// @google/genai's own stream parser must rebuild what encodeResponse gives for the same IR.
import { expect } from 'chai';
import { encodeSseEvent, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { geminiGenerate } from '../../../../plugins/translator/protocols/gemini/index.js';
import { aggregate, collect, context, fromArray, genAiClient, loadGenAi, quietly, usage, withServer } from './helpers.js';

/** `text` cut into `n` fragments of uneven size (split inside strings, escapes and multi-byte characters). */
function fragments(text: string, n: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n && at < chars.length; i++) {
    const size = Math.max(1, Math.ceil((chars.length - at) / (n - i)) + ((i % 3) - 1));
    out.push(chars.slice(at, at + size).join(''));
    at += size;
  }
  if (at < chars.length) out[out.length - 1] += chars.slice(at).join('');
  return out;
}

const BIG_A = JSON.stringify({ path: 'src/é/🌊.ts', content: 'line "quoted" \\ back\n'.repeat(40), mode: 420 });
const BIG_B = JSON.stringify({ command: 'grep -rn "TODO" .', lines: Array.from({ length: 60 }, (_, i) => i), nested: { ok: true, s: 'ünïcode' } });
const FA = fragments(BIG_A, 300);
const FB = fragments(BIG_B, 300);

const SCENARIOS: Record<string, IrStreamEvent[]> = {
  'thinking with its signature, then text; usage after finish': [
    { type: 'start', id: 'msg_01ABC', model: 'claude-sonnet-4-5' },
    { type: 'usage', usage: usage({ inputTokens: 30, cacheReadTokens: 100 }) },
    { type: 'thinking_delta', text: 'Let me think' },
    { type: 'thinking_delta', text: ' about it.' },
    { type: 'thinking_signature', signature: 'EqQBCkgIBhABGAIiQL' },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' },
    { type: 'text_delta', text: 'Hello' },
    { type: 'text_delta', text: '' },
    { type: 'text_delta', text: ', wörld 🌊' },
    { type: 'finish', stopReason: 'end_turn' },
    { type: 'usage', usage: usage({ outputTokens: 25, reasoningTokens: 9 }) },
  ],
  'two parallel calls, 300 fragments each, interleaved': [
    { type: 'start', id: 'chatcmpl-9x' },
    { type: 'text_delta', text: 'Doing both.' },
    { type: 'tool_call_start', index: 0, id: 'call_A', name: 'write_file' },
    { type: 'tool_call_start', index: 1, id: 'call_B', name: 'run_shell_command' },
    ...FA.flatMap((a, i): IrStreamEvent[] => [{ type: 'tool_call_delta', index: 0, arguments: a }, ...(FB[i] === undefined ? [] : [{ type: 'tool_call_delta' as const, index: 1, arguments: FB[i] as string }])]),
    { type: 'finish', stopReason: 'tool_use' },
    { type: 'usage', usage: usage({ inputTokens: 500, outputTokens: 700 }) },
  ],
  'two calls, 300 fragments each, sequential': [
    { type: 'start', id: 'resp_1' },
    { type: 'tool_call_start', index: 0, id: 'call_A', name: 'write_file', signature: 'sig-for-call-a' },
    ...FA.map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 0, arguments: a })),
    { type: 'tool_call_start', index: 1, id: 'call_B', name: 'run_shell_command' },
    ...FB.map((b): IrStreamEvent => ({ type: 'tool_call_delta', index: 1, arguments: b })),
    { type: 'usage', usage: usage({ inputTokens: 5, outputTokens: 7 }) },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'text → tool → text in one turn': [
    { type: 'start' },
    { type: 'text_delta', text: 'Before. ' },
    { type: 'tool_call_start', index: 0, id: 'call_1', name: 'read_file' },
    { type: 'tool_call_delta', index: 0, arguments: '{"file_path":' },
    { type: 'tool_call_delta', index: 0, arguments: '"a.ts"}' },
    { type: 'text_delta', text: 'After.' },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'a call restarted with its name repeated keeps one call and all its arguments': [
    { type: 'start' },
    { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, arguments: '{"city":' },
    { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, arguments: '"Paris"}' },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'a call with no arguments and a stream with no finish nor usage': [
    { type: 'tool_call_start', index: 0, id: 'call_1', name: 'list_background_processes' },
  ],
};

async function encode(events: IrStreamEvent[]): Promise<StreamEvent[]> {
  return collect(geminiGenerate.encodeStream(fromArray(events), context()));
}

function candidateOf(ev: StreamEvent): JsonObject {
  return ((ev.data as JsonObject)['candidates'] as JsonObject[])[0] as JsonObject;
}
function partsOf(c: { content?: { parts?: Record<string, unknown>[] } } | JsonObject): Record<string, unknown>[] {
  return ((c as { content?: { parts?: Record<string, unknown>[] } }).content?.parts) ?? [];
}

/** What a client shows: runs of text and of thoughts in order, calls, and every signature. */
function summarize(parts: Record<string, unknown>[]): { segments: unknown[]; signatures: unknown[] } {
  const segments: unknown[] = [];
  const signatures: unknown[] = [];
  for (const p of parts) {
    if (p['thoughtSignature'] !== undefined) signatures.push(p['thoughtSignature']);
    if (p['functionCall'] !== undefined) { segments.push({ call: p['functionCall'] }); continue; }
    if (typeof p['text'] !== 'string' || p['text'] === '') continue;
    const kind = p['thought'] === true ? 'thought' : 'text';
    const last = segments[segments.length - 1] as Record<string, string> | undefined;
    if (last && typeof last[kind] === 'string') last[kind] += p['text']; else segments.push({ [kind]: p['text'] });
  }
  return { segments, signatures };
}

describe('gemini codec: encodeStream invariants', () => {
  for (const [name, events] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const out = await encode(events);
      const reference = geminiGenerate.encodeResponse(aggregate(events), context());
      const refCandidate = (reference['candidates'] as JsonObject[])[0] as JsonObject;
      const ids = new Set<unknown>();
      out.forEach((ev, i) => {
        const data = ev.data as JsonObject;
        const last = i === out.length - 1;
        expect(ev.event, 'Gemini chunks are unnamed SSE events').to.equal(undefined);
        expect(data['modelVersion']).to.equal('gemini-client-model');
        ids.add(data['responseId']);
        const candidate = candidateOf(ev);
        expect(candidate['index']).to.equal(0);
        expect((candidate['content'] as JsonObject)['role']).to.equal('model');
        expect(candidate['finishReason'] !== undefined, `finishReason only on the last chunk (chunk ${i})`).to.equal(last);
        expect(data['usageMetadata'] !== undefined, `usage only on the last chunk (chunk ${i})`).to.equal(last);
        for (const p of partsOf(candidate)) {
          // Gemini CLI discards a chunk holding a bare empty text part.
          if (p['text'] === '') expect(p['thought'], 'empty text only on a signed thought part').to.equal(true);
          const call = p['functionCall'] as JsonObject | undefined;
          if (call) expect(call['args']).to.be.an('object');
        }
      });
      expect([...ids]).to.deep.equal([reference['responseId']]);
      const final = candidateOf(out[out.length - 1] as StreamEvent);
      expect(final['finishReason']).to.equal(refCandidate['finishReason']);
      expect((out[out.length - 1]?.data as JsonObject)['usageMetadata']).to.deep.equal(
        events.some((e) => e.type === 'usage') ? reference['usageMetadata'] : { promptTokenCount: 42, candidatesTokenCount: 0, totalTokenCount: 42 },
      );
      expect(summarize(out.flatMap((ev) => partsOf(candidateOf(ev))))).to.deep.equal(summarize(partsOf(refCandidate)));
    });
  }

  it('emits text as soon as it arrives and holds a call only until its arguments are complete', async () => {
    const out = await encode(SCENARIOS['text → tool → text in one turn'] as IrStreamEvent[]);
    expect(out.map((ev) => partsOf(candidateOf(ev)))).to.deep.equal([
      [{ text: 'Before. ' }],
      [{ functionCall: { id: 'call_1', name: 'read_file', args: { file_path: 'a.ts' } } }],
      [{ text: 'After.' }],
      [],
    ]);
  });

  it('puts the interleaved calls whole, in start order, in the terminal chunk', async () => {
    const out = await encode(SCENARIOS['two parallel calls, 300 fragments each, interleaved'] as IrStreamEvent[]);
    expect(out.map((ev) => partsOf(candidateOf(ev)))).to.deep.equal([
      [{ text: 'Doing both.' }],
      [
        { functionCall: { id: 'call_A', name: 'write_file', args: JSON.parse(BIG_A) } },
        { functionCall: { id: 'call_B', name: 'run_shell_command', args: JSON.parse(BIG_B) } },
      ],
    ]);
    expect(FA).to.have.length(300);
    expect(FA.join('')).to.equal(BIG_A);
  });

  it('sends a call as soon as the next one starts, with its signature', async () => {
    const out = await encode(SCENARIOS['two calls, 300 fragments each, sequential'] as IrStreamEvent[]);
    expect(out.map((ev) => partsOf(candidateOf(ev)))).to.deep.equal([
      [{ functionCall: { id: 'call_A', name: 'write_file', args: JSON.parse(BIG_A) }, thoughtSignature: 'sig-for-call-a' }],
      [{ functionCall: { id: 'call_B', name: 'run_shell_command', args: JSON.parse(BIG_B) } }],
    ]);
  });
});

describe('gemini codec: encodeStream judged by @google/genai', () => {
  for (const [name, events] of Object.entries(SCENARIOS)) {
    it(`generateContentStream rebuilds what generateContent returns: ${name}`, async function () {
      const genai = await loadGenAi();
      if (!genai) this.skip(); // needs the @google/genai devDependency
      const sse = (await encode(events)).map(encodeSseEvent).join('');
      const json = JSON.stringify(geminiGenerate.encodeResponse(aggregate(events), context()));
      await withServer((path) => (path.includes(':streamGenerateContent')
        ? { contentType: 'text/event-stream', body: sse }
        : { contentType: 'application/json', body: json }), async (baseUrl) => {
        const client = genAiClient(genai, baseUrl);
        const whole = await client.models.generateContent({ model: 'gemini-client-model', contents: 'go' });
        const chunks = await collect(await client.models.generateContentStream({ model: 'gemini-client-model', contents: 'go' }));
        const streamedParts = chunks.flatMap((c) => partsOf(c.candidates?.[0] ?? {}));
        expect(summarize(streamedParts)).to.deep.equal(summarize(partsOf(whole.candidates?.[0] ?? {})));
        expect(chunks.flatMap((c) => c.functionCalls ?? [])).to.deep.equal(whole.functionCalls ?? []);
        const streamedText = chunks.map((c) => partsOf(c.candidates?.[0] ?? {}).filter((p) => !p['thought']).map((p) => p['text'] ?? '').join('')).join('');
        expect(streamedText).to.equal(quietly(() => whole.text) ?? '');
        const last = chunks[chunks.length - 1];
        expect(last?.candidates?.[0]?.finishReason).to.equal(whole.candidates?.[0]?.finishReason);
        if (events.some((e) => e.type === 'usage')) expect(last?.usageMetadata).to.deep.equal(whole.usageMetadata);
        expect(chunks.every((c) => c.responseId === whole.responseId && c.modelVersion === 'gemini-client-model')).to.equal(true);
      });
    });
  }
});
