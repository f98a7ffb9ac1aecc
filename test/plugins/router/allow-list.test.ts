import { expect } from 'chai';
import { modelAllowed } from '../../../plugins/router/allow-list.js';

describe('router: model allow-lists', () => {
  it('allows everything without a list', () => {
    expect(modelAllowed(undefined, 'anything')).to.equal(true);
  });

  it('matches exact names and globs with * anywhere', () => {
    const list = Object.freeze(['gpt-4o', 'claude-*', '*-mini', 'gemini-*-flash*', 'models/*']);
    const yes = ['gpt-4o', 'claude-3-5-sonnet', 'gpt-4o-mini', 'gemini-2.0-flash', 'gemini-2.5-flash-lite', 'models/x'];
    const no = ['gpt-4o-2024', 'gpt-4', 'claud-3', 'gemini-2.0-pro', 'gemini-flash', 'xmodels/x', 'minimal'];
    for (const m of yes) expect(modelAllowed(list, m), m).to.equal(true);
    for (const m of no) expect(modelAllowed(list, m), m).to.equal(false);
  });

  it('does not let a glob part match twice over the same characters', () => {
    expect(modelAllowed(['ab*ba'], 'aba')).to.equal(false);
    expect(modelAllowed(['ab*ba'], 'abba')).to.equal(true);
    expect(modelAllowed(['a*b*c'], 'abc')).to.equal(true);
    expect(modelAllowed(['a*b*c'], 'acb')).to.equal(false);
    expect(modelAllowed(['*'], '')).to.equal(true);
    expect(modelAllowed([], 'gpt-4o')).to.equal(false);
  });
});
