// observeStream: an observer sees every event and the end of the stream, exactly once, whichever
// way the stream ends — and the client's stream is the source's, unchanged (untouched mark kept).
import { expect } from 'chai';
import { observeStream, takeObservers } from '../../core/protocols/observe-stream.js';
import { isUntouchedStream, markUntouchedStream } from '../../core/protocols/raw-json.js';
import type { StreamEvent } from '../../core/protocols/types.js';

const ev = (n: number): StreamEvent => ({ data: { n } }) as unknown as StreamEvent;

function source(count: number, opts: { failAt?: number } = {}) {
  const log = { opened: false, closed: false };
  const events = (async function* () {
    log.opened = true;
    try {
      for (let i = 0; i < count; i++) {
        if (i === opts.failAt) throw new Error('upstream cut');
        yield ev(i);
      }
    } finally { log.closed = true; }
  })();
  return { events, log };
}

function watcher() {
  const seen: number[] = [];
  const ends: boolean[] = [];
  return { seen, ends, observer: { event: (e: StreamEvent) => { seen.push((e.data as { n: number }).n); }, end: (c: boolean) => { ends.push(c); } } };
}

describe('observeStream', () => {
  it('passes every event on unchanged and ends complete once', async () => {
    const { events } = source(5);
    const w = watcher();
    const out: StreamEvent[] = [];
    for await (const e of observeStream(events, w.observer)) out.push(e);
    expect(out.map((e) => (e.data as { n: number }).n)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(w.seen).to.deep.equal([0, 1, 2, 3, 4]);
    expect(w.ends).to.deep.equal([true]);
  });

  it('ends incomplete when the client stops early, after closing the source', async () => {
    const { events, log } = source(5);
    const w = watcher();
    let closedAtEnd: boolean | undefined;
    const watched = observeStream(events, { event: w.observer.event, end: (c) => { closedAtEnd = log.closed; w.observer.end(c); } });
    for await (const e of watched) if ((e.data as { n: number }).n === 1) break;
    expect(w.seen).to.deep.equal([0, 1]);
    expect(w.ends).to.deep.equal([false]);
    expect(closedAtEnd).to.equal(true);
  });

  it('ends incomplete and passes the error on when the source fails', async () => {
    const { events } = source(5, { failAt: 2 });
    const w = watcher();
    let caught: unknown;
    try { for await (const _ of observeStream(events, w.observer)) { /* read */ } } catch (err) { caught = err; }
    expect((caught as Error).message).to.equal('upstream cut');
    expect(w.seen).to.deep.equal([0, 1]);
    expect(w.ends).to.deep.equal([false]);
  });

  it('ignores a throwing observer and calls nothing for a stream returned before it started', async () => {
    const { events } = source(3);
    const out: number[] = [];
    for await (const e of observeStream(events, { event: () => { throw new Error('observer bug'); }, end: () => { throw new Error('observer bug'); } })) out.push((e.data as { n: number }).n);
    expect(out).to.deep.equal([0, 1, 2]);

    const unstarted = source(3);
    const w = watcher();
    await observeStream(unstarted.events, w.observer)[Symbol.asyncIterator]().return?.();
    expect(unstarted.log.opened).to.equal(false);
    expect(w.ends).to.deep.equal([]);
  });

  it('keeps the untouched mark: the upstream bytes still go to the client as they came', () => {
    expect(isUntouchedStream(observeStream(markUntouchedStream(source(1).events), watcher().observer))).to.equal(true);
    expect(isUntouchedStream(observeStream(source(1).events, watcher().observer))).to.equal(false);
    // Stacked observers (two plugins watching): still the source's bytes.
    expect(isUntouchedStream(observeStream(observeStream(markUntouchedStream(source(1).events), watcher().observer), watcher().observer))).to.equal(true);
    expect(isUntouchedStream(observeStream(observeStream(source(1).events, watcher().observer), watcher().observer))).to.equal(false);
  });

  describe('takeObservers (the final reader calls the observers itself)', () => {
    it('hands over the source beneath a stack of unread observed streams, observers innermost first, end once', async () => {
      const { events, log } = source(3);
      const order: string[] = [];
      const inner = observeStream(events, { event: (e) => order.push(`inner ${(e.data as { n: number }).n}`), end: (c) => order.push(`inner end ${c}`) });
      const outer = observeStream(inner, { event: (e) => order.push(`outer ${(e.data as { n: number }).n}`), end: (c) => order.push(`outer end ${c}`) });
      const taken = takeObservers(outer)!;
      expect(taken.source).to.equal(events);
      for await (const e of taken.source) taken.observer.event(e);
      expect(log.closed).to.equal(true);
      taken.observer.end(true);
      taken.observer.end(false); // a second end is ignored
      expect(order).to.deep.equal(['inner 0', 'outer 0', 'inner 1', 'outer 1', 'inner 2', 'outer 2', 'inner end true', 'outer end true']);
    });

    it('leaves the taken streams spent, and ignores a throwing observer', async () => {
      const w = watcher();
      const watched = observeStream(source(2).events, { event: () => { throw new Error('observer bug'); }, end: w.observer.end });
      const taken = takeObservers(watched)!;
      expect(() => taken.observer.event(ev(0))).not.to.throw();
      taken.observer.end(false);
      expect(w.ends).to.deep.equal([false]);
      expect(await watched[Symbol.asyncIterator]().next()).to.deep.equal({ done: true, value: undefined });
    });

    it('takes nothing from a plain stream or from an observed stream already being read', async () => {
      expect(takeObservers(source(1).events)).to.equal(undefined);
      const w = watcher();
      const watched = observeStream(source(3).events, w.observer);
      await watched[Symbol.asyncIterator]().next();
      expect(takeObservers(watched)).to.equal(undefined);
      expect(w.seen).to.deep.equal([0]);
    });

    it('stops at the first wrapper that is not an observed stream (a plugin that changes events keeps its place)', async () => {
      const { events } = source(2);
      const inner = observeStream(events, watcher().observer);
      const changing = (async function* () { for await (const e of inner) yield e; })();
      const w = watcher();
      const taken = takeObservers(observeStream(changing, w.observer))!;
      expect(taken.source).to.equal(changing);
    });
  });
});
