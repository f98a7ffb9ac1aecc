// The reports' time ranges: defaults relative to --until, a future --since as an empty range, and
// errors that name the parameter (the CLI shows it as a flag, the admin API as a query parameter).
import { expect } from 'chai';
import { parseRange, ReportInputError } from '../../../plugins/ledger/reports/range.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const DAY = 86_400_000;

describe('ledger report ranges', () => {
  it('defaults to the week before now, or before --until when only that is given', () => {
    expect(parseRange(undefined, undefined, '7d', NOW)).to.deep.equal({ from: NOW - 7 * DAY, to: NOW });
    const until = Date.parse('2026-11-28T00:00:00Z');
    expect(parseRange(undefined, '2026-11-28', '7d', NOW)).to.deep.equal({ from: until - 7 * DAY, to: until });
  });

  it('a relative --since counts back from now even with --until', () => {
    expect(parseRange('30d', '2026-12-01', '7d', NOW)).to.deep.equal({ from: NOW - 30 * DAY, to: Date.parse('2026-12-01T00:00:00Z') });
  });

  it('a --since in the future is an empty range, not an error', () => {
    const from = Date.parse('2026-12-07T00:00:00Z');
    expect(parseRange('2026-12-07', undefined, '7d', NOW)).to.deep.equal({ from, to: from });
  });

  it('an explicit --until before --since is refused, naming until', () => {
    let err: unknown;
    try { parseRange('2026-12-01', '2026-11-01', '7d', NOW); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ReportInputError);
    expect((err as ReportInputError).param).to.equal('until');
    // What was expected, each parameter spelled as its caller writes it (a query parameter, a flag).
    expect((err as ReportInputError).message).to.equal('until: expected since (2026-12-01T00:00:00.000Z) or later, got 2026-11-01T00:00:00.000Z');
    expect((err as ReportInputError).flagMessage).to.equal('--until: expected --since (2026-12-01T00:00:00.000Z) or later, got 2026-11-01T00:00:00.000Z');
  });

  it('a value it cannot read names its parameter', () => {
    expect(() => parseRange('yesterday', undefined, '7d', NOW)).to.throw(ReportInputError, /^since: expected a duration/);
    expect(() => parseRange(undefined, 'soon', '7d', NOW)).to.throw(ReportInputError, /^until: expected a duration/);
  });

  it('refuses a calendar day that does not exist, rather than rolling it over into the next month', () => {
    for (const day of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-11-31', '2026-02-30T10:00:00Z', '2026-13-01']) {
      expect(() => parseRange(day, undefined, '7d', NOW), day).to.throw(ReportInputError, /^since: expected a duration/);
    }
    expect(parseRange('2028-02-29', '2028-03-01', '7d', NOW).from).to.equal(Date.parse('2028-02-29T00:00:00Z'));
  });

  it('takes the first centuries\' dates (a report "since the beginning"): years 0–99 are not 1900–1999', () => {
    for (const day of ['0001-01-01', '0099-12-31', '0000-02-29', '0100-01-01']) {
      expect(parseRange(day, undefined, '7d', NOW).from, day).to.equal(Date.parse(`${day}T00:00:00Z`));
    }
    expect(() => parseRange('0099-02-29', undefined, '7d', NOW)).to.throw(ReportInputError, /^since: expected a duration/);
  });

  it('reads a time without a zone as UTC, whatever the process\'s time zone; a zone or offset it names is kept', () => {
    const tz = process.env['TZ'];
    try {
      for (const zone of ['Asia/Kolkata', 'America/New_York', 'UTC']) {
        process.env['TZ'] = zone; // Node applies a new TZ at once
        expect(parseRange('2026-12-01T00:00:00', '2026-12-02T06:30', '7d', NOW), zone)
          .to.deep.equal({ from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-02T06:30:00Z') });
        expect(parseRange('2026-12-01T05:30:00+05:30', '2026-12-01T10:00:00-0500', '7d', NOW), zone)
          .to.deep.equal({ from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-01T15:00:00Z') });
        // An offset in whole hours, as ISO 8601 allows.
        expect(parseRange('2026-12-01T05:00:00+05', '2026-12-01T10:00-08', '7d', NOW), zone)
          .to.deep.equal({ from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-01T18:00:00Z') });
      }
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });

  it('refuses a duration reaching beyond the dates a report can read', () => {
    expect(() => parseRange('999999999999999999999d', undefined, '7d', NOW)).to.throw(ReportInputError, /^since: .* reaches beyond/);
    expect(() => parseRange('2026-11-01', '999999999999d', '7d', NOW)).to.throw(ReportInputError, /^until: .* reaches beyond/);
    expect(parseRange('52w', undefined, '7d', NOW).from).to.equal(NOW - 364 * DAY);
  });
});
