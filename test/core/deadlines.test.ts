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
});
