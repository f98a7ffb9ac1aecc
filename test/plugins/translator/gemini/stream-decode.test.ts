// Golden Gemini SSE transcripts (CRLF framing, Gemini's own JSON spacing) replayed whole and split
// at every byte offset through core's SSE decoder into decodeStream.
import { expect } from 'chai';
import { GatewayError, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { geminiGenerate } from '../../../../plugins/translator/protocols/gemini/index.js';
import { collect, fixtureBytes, sseEvents, usage } from './helpers.js';

const decode = (chunks: Buffer[]): Promise<IrStreamEvent[]> => collect(geminiGenerate.decodeStream(sseEvents(chunks)));

// Each chunk's usage comes before its parts, so a client whose first event must carry the input
// count (Anthropic message_start) has it by the first content.
const GOLDEN: Record<string, IrStreamEvent[]> = {
  'thinking-text.sse': [
    { type: 'start', id: 'hXQiafm0BvWPz7IPh4mW0Q0', model: 'gemini-3-flash-preview' },
    { type: 'usage', usage: usage({ inputTokens: 12, outputTokens: 20, reasoningTokens: 20 }) },
    { type: 'thinking_delta', text: '**Planning the greeting**\n\nThe user said hi, so a short friendly answer fits.' },
    { type: 'usage', usage: usage({ inputTokens: 12, outputTokens: 40, reasoningTokens: 40 }) },
    { type: 'thinking_delta', text: ' I\'ll offer help, too — 👋 included.' },
    { type: 'usage', usage: usage({ inputTokens: 12, outputTokens: 45, reasoningTokens: 40 }) },
    { type: 'text_delta', text: 'Hello! How can I' },
    { type: 'usage', usage: usage({ inputTokens: 12, outputTokens: 49, reasoningTokens: 40 }) },
    { type: 'text_delta', text: ' help you today? 🌊' },
    // Gemini 3 closes with an empty text part carrying the signature; the repeated usage is not re-sent.
    { type: 'thinking_signature', signature: 'EpYDCpMDAXLI2nyv/1Zq+8kYh0dJzS3q0Hx5mZg==' },
    { type: 'finish', stopReason: 'end_turn' },
  ],
  'parallel-tools.sse': [
    { type: 'start', id: 'qXUiadKZLKSHz7IP1pCh2Ac', model: 'gemini-2.5-flash' },
    { type: 'usage', usage: usage({ inputTokens: 31, outputTokens: 6 }) },
    { type: 'text_delta', text: 'I\'ll check both cities.' },
    { type: 'usage', usage: usage({ inputTokens: 31, outputTokens: 134, reasoningTokens: 88 }) },
    { type: 'tool_call_start', index: 0, id: 'call_get_weather_ZLKSHz7IP1pCh2Ac_0', name: 'get_weather', signature: 'CiQBcsjafKhGyW0qN3RZmUdyTZdq/9y0sDo2s3UcO2hlY2s=' },
    { type: 'tool_call_delta', index: 0, arguments: '{"city":"Paris","unit":"celsius"}' },
    { type: 'tool_call_start', index: 1, id: 'call_get_weather_ZLKSHz7IP1pCh2Ac_1', name: 'get_weather' },
    { type: 'tool_call_delta', index: 1, arguments: '{"city":"Tokyo","unit":"celsius"}' },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'text-tool-text.sse': [
    { type: 'start', id: 'rXYiaeW1A4GXz7IPy9Lf6Qw', model: 'gemini-2.5-flash' },
    { type: 'usage', usage: usage({ inputTokens: 52, outputTokens: 18, cacheReadTokens: 2048 }) },
    { type: 'text_delta', text: 'Let me look.' },
    { type: 'tool_call_start', index: 0, id: 'read_file_1795340633261_0', name: 'read_file' },
    { type: 'tool_call_delta', index: 0, arguments: '{"file_path":"src/app.ts"}' },
    // The citation-only chunk in between carries nothing the IR has.
    { type: 'usage', usage: usage({ inputTokens: 52, outputTokens: 23, cacheReadTokens: 2048 }) },
    { type: 'text_delta', text: 'Reading it now.' },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'blocked.sse': [
    { type: 'start', id: 'tXYiaQ2kGcSHz7IP6M3p0Aw', model: 'gemini-2.5-flash' },
    { type: 'usage', usage: usage({ inputTokens: 9 }) },
    { type: 'finish', stopReason: 'content_filter' },
  ],
};

describe('gemini codec: decodeStream golden transcripts', () => {
  for (const [name, expected] of Object.entries(GOLDEN)) {
    const bytes = fixtureBytes(`streams/${name}`);
    it(`${name}: whole`, async () => {
      expect(await decode([bytes])).to.deep.equal(expected);
    });
    it(`${name}: split at every byte offset`, async () => {
      for (let i = 1; i < bytes.length; i++) {
        expect(await decode([bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).to.deep.equal(expected);
      }
    });
  }

  it('yields each event as soon as its chunk arrives (no buffering)', async () => {
    const events = geminiGenerate.decodeStream((async function* (): AsyncGenerator<StreamEvent> {
      yield { data: { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] } }], responseId: 'r' } };
      throw new Error('the upstream never sent more');
    })())[Symbol.asyncIterator]();
    expect((await events.next()).value).to.deep.equal({ type: 'start', id: 'r' });
    expect((await events.next()).value).to.deep.equal({ type: 'text_delta', text: 'a' });
  });

  it('ignores non-JSON data and unknown chunk shapes', async () => {
    const out = await collect(geminiGenerate.decodeStream((async function* (): AsyncGenerator<StreamEvent> {
      yield { data: 'keep-alive' };
      yield { event: 'ping', data: { something: 'new' } };
      yield { data: { candidates: [{ content: { parts: [{ text: 'x' }, { executableCode: { code: '1' } }] }, finishReason: 'STOP' }] } };
    })()));
    expect(out).to.deep.equal([{ type: 'start' }, { type: 'text_delta', text: 'x' }, { type: 'finish', stopReason: 'end_turn' }]);
  });

  it('an error chunk mid-stream throws a GatewayError with the upstream status, message and body', async () => {
    const bytes = fixtureBytes('streams/error-mid-stream.sse');
    for (const chunks of [[bytes], [bytes.subarray(0, 200), bytes.subarray(200)]]) {
      const seen: IrStreamEvent[] = [];
      let error: unknown;
      try { for await (const ev of geminiGenerate.decodeStream(sseEvents(chunks))) seen.push(ev); } catch (e) { error = e; }
      expect(seen).to.deep.equal([
        { type: 'start', id: 'sXYiaYqvE9ePz7IPw7Xx0Aw', model: 'gemini-2.5-flash' },
        { type: 'usage', usage: usage({ inputTokens: 8, outputTokens: 6 }) },
        { type: 'text_delta', text: 'The first part of a long' },
      ]);
      expect(error).to.be.instanceOf(GatewayError);
      const g = error as GatewayError;
      expect([g.code, g.status, g.message]).to.deep.equal(['SLUICE_E_UPSTREAM_ERROR', 503, 'The model is overloaded. Please try again later.']);
      expect(g.upstream).to.deep.equal({ family: 'gemini', body: { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } } });
    }
  });
});
