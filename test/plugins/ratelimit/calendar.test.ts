// Calendar windows in a time zone: day and month boundaries, month lengths, DST.
import { expect } from 'chai';
import { calendarWindow, CalendarClock, startOfLocalDay } from '../../../plugins/ratelimit/calendar.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('ratelimit: calendar windows', () => {
  it('a UTC day runs midnight to midnight', () => {
    const w = calendarWindow('day', Date.parse('2026-12-05T13:45:00Z'), 'UTC');
    expect(w.id).to.equal('2026-12-05');
    expect(iso(w.start)).to.equal('2026-12-05T00:00:00.000Z');
    expect(iso(w.end)).to.equal('2026-12-06T00:00:00.000Z');
  });

  it('a day in a zone ahead of UTC begins on the previous UTC date', () => {
    // 23:30 UTC on the 4th is 00:30 on the 5th in Berlin (UTC+1 in winter).
    const w = calendarWindow('day', Date.parse('2026-12-04T23:30:00Z'), 'Europe/Berlin');
    expect(w.id).to.equal('2026-12-05');
    expect(iso(w.start)).to.equal('2026-12-04T23:00:00.000Z');
    expect(iso(w.end)).to.equal('2026-12-05T23:00:00.000Z');
  });

  it('handles half-hour offsets', () => {
    const w = calendarWindow('day', Date.parse('2026-06-01T20:00:00Z'), 'Asia/Kolkata');
    expect(w.id).to.equal('2026-06-02');
    expect(iso(w.start)).to.equal('2026-06-01T18:30:00.000Z');
  });

  it('a spring-forward day is 23 hours long and a fall-back day 25', () => {
    const spring = calendarWindow('day', Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(spring.end - spring.start).to.equal(23 * 3600_000);
    const fall = calendarWindow('day', Date.parse('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect(fall.end - fall.start).to.equal(25 * 3600_000);
    expect(iso(fall.start)).to.equal('2026-10-24T22:00:00.000Z'); // midnight CEST
    expect(iso(fall.end)).to.equal('2026-10-25T23:00:00.000Z');   // midnight CET
  });

  it('a day whose midnight a DST change skips starts at 01:00 local time', () => {
    // Chile moves its clocks from 00:00 to 01:00 on the first Sunday of September.
    const start = startOfLocalDay(2026, 9, 6, 'America/Santiago');
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Santiago', dateStyle: 'short', timeStyle: 'medium' }).format(start);
    expect(local).to.equal('06/09/2026, 01:00:00');
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Santiago', dateStyle: 'short' }).format(start - 1)).to.equal('05/09/2026');
  });

  it('months have their own lengths, leap years included', () => {
    const days = (at: string, zone = 'UTC') => { const w = calendarWindow('month', Date.parse(at), zone); return (w.end - w.start) / 86_400_000; };
    expect(days('2026-02-10T00:00:00Z')).to.equal(28);
    expect(days('2028-02-10T00:00:00Z')).to.equal(29);
    expect(days('2026-04-30T23:59:59Z')).to.equal(30);
    expect(days('2026-12-31T12:00:00Z')).to.equal(31);
    const dec = calendarWindow('month', Date.parse('2026-12-31T12:00:00Z'), 'UTC');
    expect(dec.id).to.equal('2026-12');
    expect(iso(dec.end)).to.equal('2027-01-01T00:00:00.000Z');
  });

  it('a month in a zone behind UTC ends at local midnight, across DST', () => {
    // New York: March 2026 has the spring change (EST → EDT).
    const w = calendarWindow('month', Date.parse('2026-03-15T12:00:00Z'), 'America/New_York');
    expect(w.id).to.equal('2026-03');
    expect(iso(w.start)).to.equal('2026-03-01T05:00:00.000Z');
    expect(iso(w.end)).to.equal('2026-04-01T04:00:00.000Z');
    // 03:00 UTC on April 1st is still March 31st in New York.
    expect(calendarWindow('month', Date.parse('2026-04-01T03:00:00Z'), 'America/New_York').id).to.equal('2026-03');
  });

  it('the clock keeps its window until the window ends, then moves on', () => {
    const clock = new CalendarClock('day', 'UTC');
    const a = clock.at(Date.parse('2026-12-05T23:59:59.999Z'));
    expect(clock.at(Date.parse('2026-12-05T00:00:00Z'))).to.equal(a);
    const b = clock.at(Date.parse('2026-12-06T00:00:00Z'));
    expect(b.id).to.equal('2026-12-06');
  });
});
