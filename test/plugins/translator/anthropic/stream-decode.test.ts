// Golden Anthropic SSE transcripts (byte-exact wire format) → IR events, whole and with a chunk boundary at every byte.
import { expect } from 'chai';
import { GatewayError, decodeSse, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { anthropicMessages } from '../../../../plugins/translator/protocols/anthropic/index.js';
import { boundaries, splitPlans } from '../../../helpers/split-points.js';
import { fixtureBytes, usage } from './helpers.js';

async function decodeChunks(chunks: Uint8Array[]): Promise<IrStreamEvent[]> {
  const out: IrStreamEvent[] = [];
  for await (const ev of anthropicMessages.decodeStream(decodeSse((async function* () { yield* chunks; })()))) out.push(ev);
  return out;
}

const GOLDEN: Record<string, IrStreamEvent[]> = {
  'text-cached.sse': [
    { type: 'start', id: 'msg_01XFDUDYJgAACzvnptvVoYEL', model: 'claude-sonnet-4-5-20250929' },
    { type: 'usage', usage: usage({ inputTokens: 21, outputTokens: 2, cacheReadTokens: 2048, cacheWriteTokens: 188 }) },
    { type: 'text_delta', text: 'Bonjour ! Le café' },
    { type: 'text_delta', text: ' coûte 3 € — ' },
    { type: 'text_delta', text: 'bon appétit 🌊' },
    { type: 'text_delta', text: '.' },
    { type: 'finish', stopReason: 'end_turn' },
    { type: 'usage', usage: usage({ inputTokens: 21, outputTokens: 19, cacheReadTokens: 2048, cacheWriteTokens: 188 }) },
  ],
  'thinking-tools.sse': [
    { type: 'start', id: 'msg_014p7gG3wDgGV9EUtLvnow3U', model: 'claude-sonnet-4-5-20250929' },
    { type: 'usage', usage: usage({ inputTokens: 472, outputTokens: 4 }) },
    { type: 'thinking_delta', text: 'The user wants the weather' },
    { type: 'thinking_delta', text: ' in Paris and Tokyo; two calls.' },
    { type: 'thinking_signature', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+signature==' },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB9URj2pLmN3kO' },
    { type: 'text_delta', text: 'Checking both cities.' },
    { type: 'tool_call_start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, arguments: '{"city": ' },
    { type: 'tool_call_delta', index: 0, arguments: '"Pa' },
    { type: 'tool_call_delta', index: 0, arguments: 'ris"' },
    { type: 'tool_call_delta', index: 0, arguments: ', "unit": "c' },
    { type: 'tool_call_delta', index: 0, arguments: 'elsius"}' },
    { type: 'tool_call_start', index: 1, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather' },
    { type: 'tool_call_delta', index: 1, arguments: '{"ci' },
    { type: 'tool_call_delta', index: 1, arguments: 'ty": "Tōkyō"}' },
    { type: 'finish', stopReason: 'tool_use' },
    { type: 'usage', usage: usage({ outputTokens: 187 }) },
  ],
  'stop-sequence-crlf.sse': [
    { type: 'start', id: 'msg_01StopSeqExample00000001', model: 'claude-haiku-4-5' },
    { type: 'usage', usage: usage({ inputTokens: 14, outputTokens: 1 }) },
    { type: 'text_delta', text: '1, 2, 3' },
    { type: 'finish', stopReason: 'stop_sequence', stopSequence: '4' },
    { type: 'usage', usage: usage({ outputTokens: 6 }) },
  ],
};

describe('anthropic codec: decodeStream (golden transcripts)', () => {
  for (const [name, expected] of Object.entries(GOLDEN)) {
    const bytes = fixtureBytes(name);
    it(`${name}: whole`, async () => {
      expect(await decodeChunks([bytes])).to.deep.equal(expected);
    });
    it(`${name}: a chunk boundary at every byte offset`, async () => {
      // 256 passes of 256-byte chunks cover every offset (one decode per pass, not one per byte).
      const plans = splitPlans(bytes, { stride: 256 });
      expect(boundaries(plans).size).to.equal(bytes.length - 1);
      for (const { label, chunks } of plans) expect(await decodeChunks(chunks), label).to.deep.equal(expected);
    });
  }

  it('error-overloaded.sse: yields what came before, then throws a 529 GatewayError carrying the upstream body', async () => {
    const bytes = fixtureBytes('error-overloaded.sse');
    for (const chunks of [[bytes], [bytes.subarray(0, 400), bytes.subarray(400)]]) {
      const seen: IrStreamEvent[] = [];
      let caught: unknown;
      try {
        for await (const ev of anthropicMessages.decodeStream(decodeSse((async function* () { yield* chunks; })()))) seen.push(ev);
      } catch (err) { caught = err; }
      expect(seen.map((e) => e.type)).to.deep.equal(['start', 'usage', 'text_delta']);
      expect(caught).to.be.instanceOf(GatewayError);
      const e = caught as GatewayError;
      expect([e.code, e.status, e.message]).to.deep.equal(['SLUICE_E_UPSTREAM_ERROR', 529, 'Overloaded']);
      expect(e.upstream).to.deep.equal({ family: 'anthropic', body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    }
  });

  it('an api_error maps to 500', async () => {
    const events = (async function* (): AsyncGenerator<StreamEvent> { yield { event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } }; })();
    let caught: unknown;
    try { for await (const _ of anthropicMessages.decodeStream(events)) { /* none */ } } catch (err) { caught = err; }
    expect((caught as GatewayError).status).to.equal(500);
  });

  it('yields each event as soon as it arrives (no buffering)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    async function* upstream(): AsyncGenerator<StreamEvent> {
      yield { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 1, output_tokens: 1 } } } };
      yield { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } };
      yield { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'first' } } };
      await gate; // the upstream stalls here
      yield { event: 'message_stop', data: { type: 'message_stop' } };
    }
    const it = anthropicMessages.decodeStream(upstream())[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.equal({ type: 'start', id: 'msg_1', model: 'm' });
    expect((await it.next()).value.type).to.equal('usage');
    expect((await it.next()).value).to.deep.equal({ type: 'text_delta', text: 'first' });
    release();
    expect((await it.next()).done).to.equal(true);
  });

  it('a tool_use block that carries its input whole (no deltas) still yields its arguments', async () => {
    async function* upstream(): AsyncGenerator<StreamEvent> {
      yield { data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_x', name: 'f', input: { a: 1 } } } };
      yield { data: { type: 'content_block_stop', index: 0 } };
    }
    const out: IrStreamEvent[] = [];
    for await (const ev of anthropicMessages.decodeStream(upstream())) out.push(ev);
    expect(out).to.deep.equal([
      { type: 'tool_call_start', index: 0, id: 'toolu_x', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{"a":1}' },
    ]);
  });
});
