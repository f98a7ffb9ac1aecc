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

  it('over what a timer can wait (2^31 − 1 ms, about 24 days): one error, never a timer that fires at once', () => {
    // Node runs a longer setTimeout (and AbortSignal.timeout) after 1 ms: `pull_interval: 1000h`
    // would poll in a hot loop and `timeout: 1000h` would time every call out at once.
    expect(problems({ pull_interval: '1000h' })).to.deep.equal(['expected at most 596h (2147483647 ms)']);
    expect(problems({ timeout: 3_000_000_000 })).to.deep.equal(['expected at most 596h (2147483647 ms)']);
    expect(problems({ retry: { max: '600h' } })).to.deep.equal(['expected at most 596h (2147483647 ms)']);
    expect(problems({ push_interval: '596h' })).to.deep.equal([]);
  });

  it('good durations parse', () => {
    expect(problems({ push_interval: '200ms', pull_interval: 60_000, timeout: '1.5s', retry: { initial: '1s', max: '5m' } })).to.deep.equal([]);
  });
});
