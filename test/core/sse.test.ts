// The SSE decoder must give the same events however the bytes are split.
import { expect } from 'chai';
import { encodeSseEvent, encodeUntouchedSseEvent, SseDecoder, SseEventTooLargeError, toStreamEvent } from '../../core/protocols/sse.js';
import { decodeSse } from '../../core/protocols/sse-events.js';
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

  it('keeps a CR pending across an empty chunk, so CR + LF stays one line end', () => {
    const d = new SseDecoder();
    expect(d.push('data: a\r')).to.deep.equal([]);
    expect(d.push('')).to.deep.equal([]);
    expect(d.push('\ndata: b\n\n')).to.deep.equal([{ event: undefined, data: 'a\nb', id: undefined }]);
  });

  it('round-trips what the encoder writes', async () => {
    const events: StreamEvent[] = [{ event: 'x', data: { a: 'b\nc' } }, { data: 'two\nlines' }];
    expect(await collect([Buffer.from(events.map(encodeSseEvent).join(''))])).to.deep.equal(events);
  });

  it('gives the same events when lines span many chunks of odd sizes', async () => {
    const long = `data: {"text":"${'x'.repeat(5000)}"}\r\n\r\n`;
    const whole = Buffer.from(TRANSCRIPT + long + TRANSCRIPT, 'utf8');
    const expected = await collect([whole]);
    expect(expected).to.have.length(2 * EXPECTED.length + 1);
    for (const size of [3, 7, 64, 1000]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < whole.length; i += size) chunks.push(whole.subarray(i, i + size));
      expect(await collect(chunks), `chunks of ${size}`).to.deep.equal(expected);
    }
  });
});

/** One `data:` event whose JSON holds `size` bytes of base64, as an image-generating model sends it. */
function imageEvent(size: number): Buffer {
  const head = Buffer.from('event: image\ndata: {"b64_json":"');
  const tail = Buffer.from('"}\n\n');
  return Buffer.concat([head, Buffer.alloc(size, 'QUJD'), tail]);
}

/** Socket-like 16 KB chunks. */
function socketChunks(bytes: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) out.push(bytes.subarray(i, i + 16 * 1024));
  return out;
}

describe('SSE decoder: cost and size limit', () => {
  /** Best of three runs, so one GC pause or a busy neighbour does not decide the figure. */
  async function decodeMs(chunks: Uint8Array[], size: number): Promise<number> {
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const events = await collect(chunks);
      best = Math.min(best, performance.now() - started);
      expect(events).to.have.length(1);
      expect((events[0]!.data as { b64_json: string }).b64_json).to.have.length(size);
    }
    return best;
  }

  it('is linear in line length: an 8 MB event costs about 4x a 2 MB one, not 16x', async function () {
    this.timeout(60_000);
    const MB = 1024 * 1024;
    // Best of five at sizes whose garbage stays small: a loaded machine's GC pauses would otherwise
    // weigh on the larger run alone.
    const small = await decodeMs(socketChunks(imageEvent(2 * MB)), 2 * MB);
    const large = await decodeMs(socketChunks(imageEvent(8 * MB)), 8 * MB);
    // Linear: ratio ≈ 4 (per-MB cost flat). The old decoder re-scanned its buffer per chunk: ≈ 16.
    // 11 leaves room for a loaded machine's GC and still tells the two apart.
    expect(large / small, `2 MB: ${small.toFixed(1)} ms, 8 MB: ${large.toFixed(1)} ms`).to.be.below(11);
  });

  it('decodes an 8 MB single-line event fed in 16 KB chunks', async () => {
    const events = await collect(socketChunks(imageEvent(8 * 1024 * 1024)));
    expect(events).to.have.length(1);
    expect(events[0]!.event).to.equal('image');
    expect((events[0]!.data as { b64_json: string }).b64_json).to.have.length(8 * 1024 * 1024);
  });

  async function decodeLimited(chunks: Iterable<string>, maxEventSize: number): Promise<{ events: StreamEvent[]; error: unknown }> {
    const events: StreamEvent[] = [];
    try {
      for await (const ev of decodeSse((async function* () { yield* chunks; })(), { maxEventSize })) events.push(ev);
    } catch (error) {
      return { events, error };
    }
    return { events, error: undefined };
  }

  it('cuts a stream whose line grows past maxEventSize, after the events before it', async () => {
    const huge = 'data: ' + 'A'.repeat(5000);
    const chunks = ['data: {"n":1}\n\ndata: {"n":2}\n\n', ...huge.match(/[^]{1,700}/g)!, '\n\ndata: {"n":3}\n\n'];
    const { events, error } = await decodeLimited(chunks, 4096);
    expect(events).to.deep.equal([{ data: { n: 1 } }, { data: { n: 2 } }]);
    expect(error).to.be.instanceOf(SseEventTooLargeError);
    expect((error as SseEventTooLargeError).limit).to.equal(4096);
  });

  it('yields the events completed in the same chunk before the oversized one', async () => {
    const { events, error } = await decodeLimited(['data: {"n":1}\n\ndata: ' + 'A'.repeat(5000)], 4096);
    expect(events).to.deep.equal([{ data: { n: 1 } }]);
    expect(error).to.be.instanceOf(SseEventTooLargeError);
  });

  it('counts all the data lines of one event, not each line alone', async () => {
    const line = 'data: ' + 'B'.repeat(1000) + '\n';
    const { events, error } = await decodeLimited([line.repeat(3) + '\n', line.repeat(5) + '\n'], 4096);
    expect(events).to.have.length(1);
    expect(error).to.be.instanceOf(SseEventTooLargeError);
  });

  it('accepts an event at the limit, any number of events under it, and long comment runs', async () => {
    const atLimit = 'x'.repeat(4096 - 1); // the data value plus its line separator
    const comments = (': keep-alive ' + 'c'.repeat(1000) + '\n').repeat(20);
    const many = `data: ${'y'.repeat(3000)}\n\n`.repeat(50);
    const { events, error } = await decodeLimited([`data: ${atLimit}\n\n`, comments, many], 4096);
    expect(error).to.equal(undefined);
    expect(events).to.have.length(51);
  });

  it('keeps throwing once the limit was crossed (nothing more is decoded)', () => {
    const d = new SseDecoder({ maxEventSize: 10 });
    expect(() => d.push('data: 12345678901')).to.throw(SseEventTooLargeError);
    expect(() => d.push('\n\ndata: ok\n\n')).to.throw(SseEventTooLargeError);
    expect(() => d.end()).to.throw(SseEventTooLargeError);
  });
});

describe('decodeSse, its owner\'s hooks', () => {
  /** A body of `chunks` that records how it was left; `fail` rejects the read after them. */
  function body(chunks: string[], fail?: Error) {
    const log: string[] = [];
    let i = 0;
    const it: AsyncIterator<Uint8Array> = {
      next: async () => {
        log.push('read');
        if (i < chunks.length) return { done: false, value: Buffer.from(chunks[i++]!) };
        if (fail) throw fail;
        return { done: true, value: undefined };
      },
      return: async () => { log.push('return'); return { done: true, value: undefined }; },
    };
    return { log, iterable: { [Symbol.asyncIterator]: () => it } };
  }
  const hooks = (log: string[]) => ({ mapError: (err: unknown) => new Error(`mapped: ${(err as Error).message}`), onClose: () => { log.push('close'); } });
  const two = ['data: {"n":1}\n\ndata: {"n":2}\n\n', 'data: {"n":3}\n\n'];

  it('runs to its end: every event, the body read out, onClose once', async () => {
    const b = body(two);
    const out: StreamEvent[] = [];
    for await (const ev of decodeSse(b.iterable, hooks(b.log))) out.push(ev);
    expect(out.map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2, 3]);
    expect(b.log).to.deep.equal(['read', 'read', 'read', 'close']);
  });

  it('returned early (the client left): the body returned, onClose once, then over', async () => {
    const b = body(two);
    const it = decodeSse(b.iterable, hooks(b.log));
    expect((await it.next()).value).to.deep.equal({ data: { n: 1 } });
    await it.return(undefined);
    expect(b.log).to.deep.equal(['read', 'return', 'close']);
    expect(await it.next()).to.deep.equal({ done: true, value: undefined });
  });

  it('a body that fails: the events before it, then the mapped error; the failed body is not returned', async () => {
    const b = body(two.slice(0, 1), new Error('socket hang up'));
    const out: StreamEvent[] = [];
    let error: Error | undefined;
    try { for await (const ev of decodeSse(b.iterable, hooks(b.log))) out.push(ev); } catch (err) { error = err as Error; }
    expect(out).to.have.length(2);
    expect(error?.message).to.equal('mapped: socket hang up');
    expect(b.log).to.deep.equal(['read', 'read', 'close']);
  });

  it('an oversized event: the events before it, then the mapped error, the body returned unread', async () => {
    const b = body([`data: {"n":1}\n\ndata: ${'x'.repeat(100)}`, 'data: {"n":9}\n\n']);
    const out: StreamEvent[] = [];
    let error: Error | undefined;
    try { for await (const ev of decodeSse(b.iterable, { ...hooks(b.log), maxEventSize: 50 })) out.push(ev); } catch (err) { error = err as Error; }
    expect(out).to.deep.equal([{ data: { n: 1 } }]);
    expect(error?.message).to.match(/^mapped: an SSE event exceeds 50 characters/);
    expect(b.log).to.deep.equal(['read', 'return', 'close']);
  });

  it('takes a body whose iterator returns plain results, and maps one that throws as it is read', async () => {
    const chunks = [Buffer.from('data: {"n":1}\n\n')];
    let i = 0;
    const plain = { [Symbol.asyncIterator]: () => ({ next: () => (i < chunks.length ? { done: false, value: chunks[i++]! } : { done: true, value: undefined }) }) };
    const out: StreamEvent[] = [];
    for await (const ev of decodeSse(plain as unknown as AsyncIterable<Uint8Array>)) out.push(ev);
    expect(out).to.deep.equal([{ data: { n: 1 } }]);
    const log: string[] = [];
    const throwing = { [Symbol.asyncIterator]: () => ({ next: (): never => { throw new Error('gone'); } }) };
    let error: Error | undefined;
    try { for await (const _ of decodeSse(throwing as unknown as AsyncIterable<Uint8Array>, hooks(log))) { /* none */ } } catch (err) { error = err as Error; }
    expect([error?.message, log]).to.deep.equal(['mapped: gone', ['close']]);
  });

  it('returned before it was started: nothing read, nothing closed', async () => {
    const b = body(two);
    await decodeSse(b.iterable, hooks(b.log)).return(undefined);
    expect(b.log).to.deep.equal([]);
  });
});

describe('an event off the wire keeps its text only while its data is the value parsed from it', () => {
  const text = '{"id":"c1",  "choices":[{"delta":{"content":"hé"}}]}'; // spacing JSON.stringify would not keep

  it('is written back as it came, with its event name and id', () => {
    const ev = toStreamEvent({ data: text, event: 'chunk', id: '7' });
    expect(ev).to.deep.equal({ data: JSON.parse(text), event: 'chunk', id: '7' });
    expect(JSON.stringify(ev)).to.equal(JSON.stringify({ data: JSON.parse(text), event: 'chunk', id: '7' })); // the text travels privately
    expect(encodeUntouchedSseEvent(ev)).to.equal(`event: chunk\nid: 7\ndata: ${text}\n\n`);
  });

  it('is serialised anew once its data is another value, or in a copy', () => {
    const ev = toStreamEvent({ data: text, event: undefined, id: undefined });
    ev.data = { replaced: true };
    expect(encodeUntouchedSseEvent(ev)).to.equal('data: {"replaced":true}\n\n');
    const copy = { ...toStreamEvent({ data: text, event: undefined, id: undefined }) };
    expect(encodeUntouchedSseEvent(copy)).to.equal(`data: ${JSON.stringify(JSON.parse(text))}\n\n`);
    expect(encodeUntouchedSseEvent(toStreamEvent({ data: '[DONE]', event: undefined, id: undefined }))).to.equal('data: [DONE]\n\n');
  });
});
