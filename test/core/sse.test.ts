// The SSE decoder must give the same events however the bytes are split.
import { expect } from 'chai';
import { decodeSse, encodeSseEvent, SseDecoder } from '../../core/protocols/sse.js';
import type { StreamEvent } from '../../core/protocols/types.js';

const TRANSCRIPT =
  ': a comment first\r\n' +
  'event: message_start\r\ndata: {"type":"message_start","n":1}\r\n\r\n' +
  'data: {"multi":\ndata: "line"}\n\n' +
  'id: 7\nevent: ping\ndata: {}\n\n' +
  'retry: 1000\nunknown: field\ndata: [DONE]\r\r' +
  'data: {"emoji":"héllo 🌊"}\n\n';

const EXPECTED: StreamEvent[] = [
  { event: 'message_start', data: { type: 'message_start', n: 1 } },
  { data: { multi: 'line' } },
  { event: 'ping', id: '7', data: {} },
  { data: '[DONE]' },
  { data: { emoji: 'héllo 🌊' } },
];

async function collect(chunks: Uint8Array[]): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of decodeSse((async function* () { yield* chunks; })())) out.push(ev);
  return out;
}

describe('SSE decoder', () => {
  const bytes = Buffer.from(TRANSCRIPT, 'utf8');

  it('decodes a whole transcript', async () => {
    expect(await collect([bytes])).to.deep.equal(EXPECTED);
  });

  it('gives the same events when split at every byte offset (incl. inside UTF-8 and CRLF)', async () => {
    for (let i = 1; i < bytes.length; i++) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).to.deep.equal(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time', async () => {
    expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).to.deep.equal(EXPECTED);
  });

  it('dispatches a final event that lacks its blank line', () => {
    const d = new SseDecoder();
    expect(d.push('data: {"a":1}')).to.deep.equal([]);
    expect(d.end()).to.deep.equal([{ event: undefined, data: '{"a":1}', id: undefined }]);
  });

  it('round-trips what the encoder writes', async () => {
    const events: StreamEvent[] = [{ event: 'x', data: { a: 'b\nc' } }, { data: 'two\nlines' }];
    expect(await collect([Buffer.from(events.map(encodeSseEvent).join(''))])).to.deep.equal(events);
  });
});
