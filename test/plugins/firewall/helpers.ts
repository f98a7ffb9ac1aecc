// Shared test helpers: deterministic fake key material and a scanner with default options.
import { expect } from 'chai';
import { createDetectionEngine, type DetectionEngine } from '../../../plugins/firewall/engine.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';
import type { Finding } from '../../../plugins/firewall/types.js';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

let seed = 0x2f6b1a3d;
/** Deterministic pseudo-random string (fake key material: matches a shape, belongs to nobody). */
export function fake(length: number, charset = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out += charset[(seed >>> 0) % charset.length];
  }
  return out;
}

export function engine(options: unknown = {}): DetectionEngine {
  return createDetectionEngine(firewallOptions.parse(options));
}

const defaultEngine = engine();

export function scan(text: string): Finding[] {
  return defaultEngine.scan(text);
}

/** Asserts that `value`, embedded in `text`, is found exactly once with `type` at its exact offsets. */
export function expectFound(text: string, value: string, type: string, findings = scan(text)): void {
  const start = text.indexOf(value);
  expect(start, `fixture must contain the value`).to.be.greaterThan(-1);
  const matching = findings.filter((f) => f.type === type);
  expect(matching.map((f) => [f.start, f.end]), `${type} in ${JSON.stringify(text)}; got ${JSON.stringify(findings)}`)
    .to.deep.equal([[start, start + value.length]]);
}

/** Asserts that nothing of `type` (or nothing at all when type is omitted) is found. */
export function expectNothing(text: string, type?: string, findings = scan(text)): void {
  const matching = type ? findings.filter((f) => f.type === type) : findings;
  expect(matching, `${JSON.stringify(text)} should not give ${type ?? 'any finding'}`).to.deep.equal([]);
}
