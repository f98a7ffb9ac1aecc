// Report output for scripts: CSV cells escape client-chosen control characters as the table does,
// quote what needs it, defuse formulas, and write small costs as decimals.
import { expect } from 'chai';
import { csv } from '../../../plugins/ledger/reports/format.js';

describe('ledger report CSV', () => {
  it('escapes control characters in names clients chose, and still quotes commas and quotes', () => {
    const out = csv([{ model: 'bad\x1b[31m,na"me\nx', session: 'se\x07ss', n: 1 }], ['model', 'session', 'n']);
    expect(out).to.equal('model,session,n\n"bad\\x1b[31m,na""me\\nx",se\\x07ss,1');
    expect(out).to.not.match(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('escapes invisible format characters, so a look-alike model does not read as the real one', () => {
    expect(csv([{ model: 'gpt-4o' }, { model: 'gpt-4o\u200b' }, { model: '\u2060=cmd()' }], ['model'])).to.equal('model\ngpt-4o\ngpt-4o\\u200b\n\\u2060=cmd()');
  });

  it('writes small numbers as decimals, not in exponent form', () => {
    expect(csv([{ cost_usd: 4e-7 }, { cost_usd: 1.23456789e-7 }, { cost_usd: 0.000146 }, { cost_usd: null }], ['cost_usd']))
      .to.equal('cost_usd\n0.0000004\n0.000000123456789\n0.000146\n');
  });

  it('defuses a spreadsheet formula in a text cell', () => {
    expect(csv([{ model: '=cmd()' }], ['model'])).to.equal("model\n'=cmd()");
  });
});
