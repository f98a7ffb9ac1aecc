// describeParseError takes what a command's `catch` binds: under strict TypeScript that is `unknown`,
// and a plugin author should not need a cast to word a parseArgs error as Sluice's commands do.
import { expect } from 'chai';
import { parseArgs } from 'node:util';
import { describeParseError } from '../../../core/index.js';

describe('describeParseError', () => {
  it('words the error a catch binds, typed unknown', () => {
    let said = '';
    try { parseArgs({ args: ['--prot'], options: {} }); } catch (err) { said = describeParseError(err); }
    expect(said).to.equal("unknown option '--prot'");
    expect(describeParseError('bad flag')).to.equal('bad flag');
  });
});
