// Milliseconds as text, twice a request (the access line, the overhead header): from integers and
// a table of the thousandths made once, not by turning a fraction into its text each time.

/** '000' … '999'. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** '', '.001' … '.999' with trailing zeros dropped (as JSON writes a number). */
const THOUSANDTHS = THREE_DIGITS.map((d, i) => (i === 0 ? '' : `.${d.replace(/0+$/, '')}`));

/** Milliseconds rounded to the microsecond, as the access line gives them. */
export const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
/** Within this, `Math.round(ms * 1000)` is an exact integer. */
const MAX_MICROS = 1e15;

/** `JSON.stringify(round3(ms))`: whole milliseconds and up to three decimals; `null` when not finite. */
export function msJson(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (!(micros >= 0 && micros < MAX_MICROS)) {
    const rounded = round3(ms);
    return Number.isFinite(rounded) ? String(rounded) : 'null';
  }
  const whole = Math.floor(micros / 1000);
  return `${whole}${THOUSANDTHS[micros - whole * 1000]!}`;
}

/**
 * Always three decimals, as `toFixed(3)` but for a double within a rounding error of a half
 * thousandth, which may round the other way (negative values count as 0: a duration).
 */
export function msFixed3(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (!(micros > 0)) return '0.000';
  if (micros >= MAX_MICROS) return ms.toFixed(3);
  const whole = Math.floor(micros / 1000);
  return `${whole}.${THREE_DIGITS[micros - whole * 1000]!}`;
}
