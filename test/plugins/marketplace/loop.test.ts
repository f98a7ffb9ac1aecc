import { expect } from 'chai';
import { RoundLoop } from '../../../plugins/marketplace/loop.js';
import { sleep, until } from './rig.js';

describe('marketplace: the round loop', () => {
  it('runs rounds one at a time, waiting what each returns; a round asked for mid-round runs right after', async () => {
    let active = 0;
    let most = 0;
    const starts: number[] = [];
    const loop = new RoundLoop(async () => {
      starts.push(Date.now());
      active++;
      most = Math.max(most, active);
      await sleep(60);
      active--;
      return 10_000;
    });
    loop.start();
    await until(() => starts.length === 1, 1000);
    loop.schedule(0); // asked while the first round runs
    loop.schedule(0);
    await until(() => starts.length === 2, 1000);
    expect(most).to.equal(1);
    expect(starts[1]! - starts[0]!).to.be.at.least(55);
    await sleep(150);
    expect(starts).to.have.length(2); // then it waits the 10 s the round asked for
    await loop.stop();
    loop.schedule(0);
    await sleep(30);
    expect(starts).to.have.length(2); // stopped: no more rounds
  });
});
