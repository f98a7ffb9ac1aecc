import { expect } from 'chai';
import { UpstreamBody } from '../../core/providers/upstream-call.js';

function rig() {
  const calls = { resumed: 0, aborted: [] as unknown[], closed: 0 };
  const body = new UpstreamBody(() => { calls.resumed++; }, { abort: (reason) => { calls.aborted.push(reason); } });
  body.onClose(() => { calls.closed++; });
  return { body, calls };
}

describe('UpstreamBody: an upstream answer read whole or chunk by chunk', () => {
  it('whole(): the chunks joined, whether they arrived before or after the call', async () => {
    const { body, calls } = rig();
    body.push(Buffer.from('{"a":'));
    const whole = body.whole();
    body.push(Buffer.from('1}'));
    body.end(undefined);
    expect((await whole).toString()).to.equal('{"a":1}');
    expect(calls.closed).to.equal(1);
    expect(calls.aborted).to.deep.equal([]);
  });

  it('iterated: pauses undici above 64 KiB unread and resumes it once the reader drains half', async () => {
    const { body, calls } = rig();
    const it = body[Symbol.asyncIterator]();
    const chunk = Buffer.alloc(16 * 1024);
    const accepted: boolean[] = [];
    for (let i = 0; i < 6; i++) accepted.push(body.push(chunk));
    // 96 KiB buffered: the fifth chunk crossed 64 KiB and asked undici to pause.
    expect(accepted).to.deep.equal([true, true, true, true, false, false]);
    expect(calls.resumed).to.equal(0);
    await it.next(); // 80 KiB left
    await it.next(); // 64 KiB
    expect(calls.resumed).to.equal(0);
    await it.next(); // 48 KiB
    await it.next(); // 32 KiB: half the mark, resume
    expect(calls.resumed).to.equal(1);
    body.end(undefined);
    expect((await it.next()).done).to.equal(false);
    expect((await it.next()).done).to.equal(false);
    expect((await it.next()).done).to.equal(true);
  });

  it('a reader waiting for a chunk gets it at once; an upstream error after the chunks reaches the reader', async () => {
    const { body } = rig();
    const it = body[Symbol.asyncIterator]();
    const next = it.next();
    body.push(Buffer.from('x'));
    expect(String((await next).value)).to.equal('x');
    body.push(Buffer.from('y'));
    body.end(new Error('socket hang up'));
    expect(String((await it.next()).value)).to.equal('y');
    let error: unknown;
    try { await it.next(); } catch (err) { error = err; }
    expect((error as Error).message).to.equal('socket hang up');
  });

  it('giving the body up (the reader stopped) aborts the exchange once and closes once', async () => {
    const { body, calls } = rig();
    const it = body[Symbol.asyncIterator]();
    body.push(Buffer.from('x'));
    await it.return!();
    body.destroy();
    body.end(undefined);
    expect(calls.aborted).to.have.length(1);
    expect(calls.closed).to.equal(1);
    let error: unknown;
    try { await body.whole(); } catch (err) { error = err; }
    expect((error as Error).message).to.match(/given up/);
  });
});
