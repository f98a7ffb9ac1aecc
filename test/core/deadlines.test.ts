import { expect } from 'chai';
import { DeadlineQueue } from '../../core/http/deadlines.js';

describe('core/http/deadlines: one timer for many equal waits', () => {
  it('fires an expired wait once, not a cancelled one, and not before its time', async () => {
    const q = new DeadlineQueue(40);
    const fired: string[] = [];
    const started = performance.now();
    let firedAt = 0;
    q.add(() => { fired.push('a'); firedAt = performance.now(); });
    const b = q.add(() => fired.push('b'));
    b.cancel();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(fired).to.deep.equal(['a']);
    expect(firedAt - started).to.be.at.least(39);
  });

  it('keeps working after its timer stopped for want of waits', async () => {
    const q = new DeadlineQueue(10);
    q.add(() => undefined).cancel();
    await new Promise((r) => setTimeout(r, 60)); // a sweep finds nothing and stops the timer
    let fired = false;
    q.add(() => { fired = true; });
    await new Promise((r) => setTimeout(r, 200));
    expect(fired).to.equal(true);
  });

  it('fires what is left, in arrival order, after cancels at the head, the middle and the tail', async () => {
    const q = new DeadlineQueue(10);
    const fired: number[] = [];
    const waits = Array.from({ length: 8 }, (_, i) => q.add(() => fired.push(i)));
    for (const i of [0, 3, 4, 7]) waits[i]!.cancel();
    waits[3]!.cancel(); // twice: harmless
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).to.deep.equal([1, 2, 5, 6]);
    waits[1]!.cancel(); // after it fired: harmless
    q.add(() => fired.push(8));
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).to.deep.equal([1, 2, 5, 6, 8]);
  });
});
