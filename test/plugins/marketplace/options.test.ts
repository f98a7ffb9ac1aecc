// Duration options: one error per bad value — a string that is no duration is told so once, not
// also that it is under the minimum; a duration under the minimum says so in the same words
// whether written as a number or a string.
import { expect } from 'chai';
import { parseOptions, SchemaError } from '../../../core/index.js';
import { marketplaceOptions } from '../../../plugins/marketplace/options.js';

function problems(withOptions: Record<string, unknown>): string[] {
  try {
    parseOptions(marketplaceOptions, { url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'g', ...withOptions });
  } catch (err) {
    if (err instanceof SchemaError) return err.problems.map((p) => p.message);
    throw err;
  }
  return [];
}

describe('marketplace: duration options', () => {
  it('a value that is not a duration gets one error', () => {
    const got = problems({ push_interval: 'soon' });
    expect(got).to.have.length(1);
    expect(got[0]).to.include('expected a duration such as 500ms');
  });

  it('under the minimum: one error, the same words for a number and a string', () => {
    expect(problems({ pull_interval: 0 })).to.deep.equal(['expected at least 50 ms']);
    expect(problems({ pull_interval: '10ms' })).to.deep.equal(['expected at least 50 ms']);
    expect(problems({ retry: { initial: '5ms' } })).to.deep.equal(['expected at least 10 ms']);
  });

  it('good durations parse', () => {
    expect(problems({ push_interval: '200ms', pull_interval: 60_000, timeout: '1.5s', retry: { initial: '1s', max: '5m' } })).to.deep.equal([]);
  });
});
