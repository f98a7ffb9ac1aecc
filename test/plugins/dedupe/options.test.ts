// The dedupe options schema: defaults, the thresholds they resolve to, and the problems it names.
import { expect } from 'chai';
import { parseOptions, SchemaError } from '../../../core/index.js';
import { dedupeOptions, thresholdsOf } from '../../../plugins/dedupe/options.js';

function problems(value: unknown): string[] {
  try {
    parseOptions(dedupeOptions, value);
  } catch (err) {
    if (err instanceof SchemaError) return err.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('dedupe: options', () => {
  it('defaults to the SPEC: enforce, note at 3, block at 5 with a message, cycles up to 5 steps, failures at 6', () => {
    expect(parseOptions(dedupeOptions, {})).to.deep.equal({
      mode: 'enforce', warn_at: 3, block_at: 5, block_with: 'message',
      // failures.block_at is resolved with the thresholds (6 here), below: its default follows warn_at.
      cycles: { max_period: 5 }, failures: {}, exempt_tools: [], inspect_response: false,
    });
    expect(thresholdsOf(parseOptions(dedupeOptions, {}))).to.deep.equal({ warnAt: 3, blockAt: 5, cycleBlockAt: 5, failureBlockAt: 6, maxPeriod: 5 });
  });

  it('takes the issue\'s example as written, and cycles.block_at when given', () => {
    const o = parseOptions(dedupeOptions, {
      mode: 'monitor', warn_at: 2, block_at: 4, block_with: 'error',
      cycles: { max_period: 3, block_at: 3 }, failures: { block_at: 8 }, inspect_response: true,
    });
    expect(thresholdsOf(o)).to.deep.equal({ warnAt: 2, blockAt: 4, cycleBlockAt: 3, failureBlockAt: 8, maxPeriod: 3 });
    expect(o.mode).to.equal('monitor');
    expect(o.block_with).to.equal('error');
    expect(o.inspect_response).to.equal(true);
  });

  it('accepts numbers spelled as strings (environment expansion)', () => {
    expect(parseOptions(dedupeOptions, { warn_at: '4', block_at: '9' })).to.include({ warn_at: 4, block_at: 9 });
  });

  it('names every block threshold that is not above warn_at', () => {
    expect(problems({ warn_at: 5, block_at: 5 })).to.deep.equal(['block_at: expected block_at above warn_at (5), got 5']);
    expect(problems({ warn_at: 4, cycles: { block_at: 3 }, failures: { block_at: 2 } })).to.deep.equal([
      'cycles.block_at: expected cycles.block_at above warn_at (4), got 3',
      'failures.block_at: expected failures.block_at above warn_at (4), got 2',
    ]);
  });

  it('a warn_at of 6 or more is not refused over a failures.block_at the user never set: its default follows warn_at', () => {
    expect(problems({ warn_at: 6, block_at: 10 })).to.deep.equal([]);
    expect(thresholdsOf(parseOptions(dedupeOptions, { warn_at: 6, block_at: 10 }))).to.include({ warnAt: 6, blockAt: 10, failureBlockAt: 7 });
    // Below that the default is the documented 6, whatever block_at is.
    expect(thresholdsOf(parseOptions(dedupeOptions, { warn_at: 4, block_at: 9 }))).to.include({ failureBlockAt: 6 });
    // Set by the user, it is still checked.
    expect(problems({ warn_at: 6, block_at: 10, failures: { block_at: 6 } })).to.deep.equal(['failures.block_at: expected failures.block_at above warn_at (6), got 6']);
  });

  it('rejects unknown options, bad enums and out-of-range counts with their paths', () => {
    const found = problems({ mode: 'redact', warn_at: 1, block_with: 'silence', cycles: { max_period: 1, min_period: 2 }, dedupe: true });
    expect(found.map((p) => p.split(':')[0])).to.have.members(['mode', 'warn_at', 'block_with', 'cycles.max_period', 'cycles.min_period', 'dedupe']);
  });
});
