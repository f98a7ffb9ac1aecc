// The CLI's plain-text tables show what a client chose (model names, session ids): control
// characters must come out as escapes, never reach the operator's terminal.
import { expect } from 'chai';
import { table } from '../../core/cli/table.js';

describe('cli table', () => {
  it('aligns columns under upper-case headers', () => {
    expect(table([{ model: 'a', n: 10 }, { model: 'longer', n: 2 }], ['model', 'n'])).to.equal('MODEL   N\na       10\nlonger  2');
  });

  it('shows control characters and bidirectional overrides as escapes, one row per line', () => {
    const out = table([{ model: '\u001b[2J\u001b[31mEVIL\nnext\trow\u202egnp.exe\u0085' }], ['model']);
    const lines = out.split('\n');
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line).to.not.match(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(out.split('\n')[1]).to.equal('\\x1b[2J\\x1b[31mEVIL\\nnext\\trow\\u202egnp.exe\\x85');
  });

  it('shows invisible format characters as escapes, so a look-alike name does not read as the real one', () => {
    // A zero-width space, a right-to-left mark, a byte-order mark, a soft hyphen, tag characters ("AB", invisible).
    const out = table([{ model: 'gpt-4o' }, { model: 'gpt-4o\u200b' }, { model: '\u200fgpt\ufeff-4o\u00ad' }, { model: 'gpt-4o\u{e0041}\u{e0042}' }], ['model']);
    expect(out.split('\n').slice(1)).to.deep.equal(['gpt-4o', 'gpt-4o\\u200b', '\\u200fgpt\\ufeff-4o\\xad', 'gpt-4o\\u{e0041}\\u{e0042}']);
    // Text in any script, and emoji, are shown as they are.
    expect(table([{ model: 'modèle-日本語-🚀' }], ['model']).split('\n')[1]).to.equal('modèle-日本語-🚀');
  });
});
