// The CLI's output guard (core/cli/io.ts) once its reader is gone: the command carries on, its
// writes succeed and call back, and one waiting for 'drain' goes on.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { quietOnEpipe } from '../../../core/cli/io.js';

describe('CLI output when its reader is gone', () => {
  it('writes succeed and call their callbacks, and a writer waiting for drain goes on', async () => {
    const pipe = new Writable({ highWaterMark: 1, write(_chunk, _encoding, done) { done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
    quietOnEpipe(pipe as unknown as NodeJS.WriteStream);
    const drained = new Promise((resolve) => pipe.once('drain', resolve));
    expect(pipe.write('a'), 'the pipe is full').to.equal(false);
    await drained;
    await new Promise<void>((resolve) => pipe.write('b', () => resolve()));
    expect(pipe.write('c')).to.equal(true);
  });
});
