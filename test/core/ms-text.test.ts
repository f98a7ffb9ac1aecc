// Milliseconds as text (core/http/ms-text.ts): the access line's numbers must be what JSON writes,
// and the overhead header what toFixed(3) writes.
import { expect } from 'chai';
import { msFixed3, msJson } from '../../core/http/ms-text.js';

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function samples(): number[] {
  const values = [0, -0, 1, 2.5, 0.001, 0.0004, 0.0005, 10.01, 99.999, 123456.789, 1e-9, -1, -0.0004, 7.1000001, 1e14 + 0.25, 1e300, Number.NaN, Number.POSITIVE_INFINITY];
  for (let i = 0; i < 5000; i++) values.push(Math.random() * 10 ** Math.floor(Math.random() * 9));
  return values;
}

describe('milliseconds as text', () => {
  it('msJson is JSON.stringify of the value rounded to the microsecond', () => {
    for (const ms of samples()) expect(msJson(ms), String(ms)).to.equal(JSON.stringify(round3(ms)));
  });

  it('msFixed3 has three decimals, as toFixed(3) gives them away from half-thousandths', () => {
    for (const ms of samples()) {
      if (!Number.isFinite(ms) || ms >= 1e12) continue;
      const micros = ms * 1000;
      if (Math.abs(micros - Math.trunc(micros) - 0.5) < 1e-6) continue; // a tie: either way is right
      expect(msFixed3(ms), String(ms)).to.equal(Math.max(0, ms).toFixed(3));
    }
    expect(msFixed3(-3)).to.equal('0.000');
    expect(msFixed3(12.3456)).to.match(/^12\.346$/);
  });
});
