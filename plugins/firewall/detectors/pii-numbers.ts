// PII that is a number with a checksum or a strict structure: payment cards, IBAN, US SSN,
// China resident id, India Aadhaar, UK NHS number.
import type { Candidate, RuleSpec } from '../types.js';
import { digitsOnly, luhnValid } from '../validators/luhn.js';
import { ibanValid } from '../validators/iban.js';
import { verhoeffValid } from '../validators/verhoeff.js';
import { chinaIdValid, isRepeatedChar, nhsValid, ssnValid } from '../validators/national-ids.js';
import { extendsNumber, isAlnumAt, keywordNear } from '../context.js';
import { wordNear } from '../validators/words.js';

const r = String.raw;

/** Issuer prefixes and lengths of the common card brands (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir). */
export function cardBrandValid(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19;
  if (p2 === 62 || p2 === 81) return n >= 16 && n <= 19;
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19;
  return false;
}

/** Separators, when present, must be one kind and group the digits the way cards are printed. */
function cardGroupingValid(value: string): boolean {
  const hasSpace = value.includes(' ');
  const hasDash = value.includes('-');
  if (hasSpace && hasDash) return false;
  if (!hasSpace && !hasDash) return true;
  const groups = value.split(hasSpace ? ' ' : '-').map((g) => g.length);
  const shape = groups.join('-');
  return ['4-4-4-4', '4-6-5', '4-6-4', '4-4-4-4-3', '4-4-4-1', '4-4-4-3', '4-4-5', '4-4-4-2', '4-4-4-4-1', '4-4-4-4-2'].includes(shape);
}

/** Card networks' published test numbers (Stripe, Adyen, Braintree, PayPal docs). */
const TEST_CARDS = new Set([
  '4242424242424242', '4000056655665556', '4111111111111111', '4012888888881881', '4222222222222', '4000002500003155',
  '4000002760003184', '4000000000003220', '4000000000000002', '4000000000009995', '4000000000000077', '4917610000000000',
  '5555555555554444', '2223003122003222', '5200828282828210', '5105105105105100', '5431111111111111', '2222400070000005',
  '378282246310005', '371449635398431', '6011111111111117', '6011000990139424', '3056930009020004', '36227206271667',
  '3566002020360505', '3530111333300000', '6200000000000005', '6200000000000047',
]);
const TEST_WORDS = ['test', 'testing', 'tests', 'sandbox', 'stripe', 'example', 'examples', 'dummy', 'fake', 'demo', 'docs', 'documentation', 'staging'];

function validCard(c: Candidate): boolean {
  const digits = digitsOnly(c.value);
  if (digits.length < 12 || digits.length > 19 || isRepeatedChar(digits)) return false;
  if (isAlnumAt(c.text, c.start - 1) || isAlnumAt(c.text, c.end) || inArithmetic(c.text, c.start, c.end)) return false;
  if (!cardGroupingValid(c.value) || !cardBrandValid(digits) || !luhnValid(digits)) return false;
  // A published test number shown as a test/docs value is not anyone's card; pasted on its own it is treated as one.
  return !(TEST_CARDS.has(digits) && wordNear(c.text, c.start, c.end, TEST_WORDS, 80, 80));
}

/** "1234 5678 9012 + 4321 8765 2109": an operator beside the number makes it arithmetic. */
function inArithmetic(text: string, start: number, end: number): boolean {
  let i = end;
  while (text[i] === ' ') i++;
  let j = start - 1;
  while (text[j] === ' ') j--;
  const ops = '+*/=×÷';
  return (i > end && ops.includes(text[i] ?? '\u0000')) || (j < start - 1 && ops.includes(text[j] ?? '\u0000'));
}

/** The IBANs banks and the IBAN registry print as examples. */
const EXAMPLE_IBANS = new Set([
  'DE89370400440532013000', 'GB82WEST12345698765432', 'GB29NWBK60161331926819', 'FR1420041010050500013M02606',
  'NL91ABNA0417164300', 'ES9121000418450200051332', 'IT60X0542811101000000123456', 'BE68539007547034', 'CH9300762011623852957',
  'AT611904300234573201', 'PL61109010140000071219812874', 'SE4550000000058398257466', 'DK5000400440116243', 'PT50000201231234567890154',
]);

/** IBAN regex is greedy across spaces; trim to the country's length and check mod-97. */
function validIban(c: Candidate): { end: number } | false {
  let count = 0;
  for (let i = 0; i < c.value.length; i++) {
    if (c.value[i] === ' ') continue;
    count++;
    if (count >= 15 && ibanValid(c.value.slice(0, i + 1))) {
      const end = c.start + i + 1;
      if (isAlnumAt(c.text, end)) continue;
      // The registry's example IBAN shown as an example/test value belongs to nobody.
      const compact = c.value.slice(0, i + 1).replace(/ /g, '');
      if (EXAMPLE_IBANS.has(compact) && wordNear(c.text, c.start, end, TEST_WORDS, 80, 80)) return false;
      return { end };
    }
  }
  return false;
}

const SSN_KEYWORDS = ['ssn', 'social security', 'social sec', 'ss#', 'ss #'];

export const NUMBER_PII_RULES: RuleSpec[] = [
  {
    type: 'CREDIT_CARD',
    pattern: r`\b\d(?:[ -]?\d){11,18}\b`,
    score: 0.95,
    validate: validCard,
  },
  {
    type: 'IBAN_CODE',
    pattern: r`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}`,
    score: 0.95,
    validate: validIban,
  },
  {
    type: 'US_SSN',
    pattern: r`\b\d{3}([- ])\d{2}[- ]\d{4}\b`,
    score: 0.85,
    validate: (c) => {
      if (c.value[3] !== c.value[6]) return false;
      if (extendsNumber(c.text, c.start, c.end)) return false;
      if (!ssnValid(digitsOnly(c.value))) return false;
      return keywordNear(c.text, c.start, c.end, SSN_KEYWORDS) ? 1.0 : c.value[3] === '-' ? 0.85 : 0.6;
    },
  },
  {
    type: 'US_SSN',
    keywords: SSN_KEYWORDS,
    pattern: r`\b\d{9}\b`,
    score: 0.8,
    validate: (c) => ssnValid(c.value) && keywordNear(c.text, c.start, c.end, SSN_KEYWORDS, 32),
  },
  {
    type: 'CN_RESIDENT_ID',
    pattern: r`\b[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b`,
    score: 0.9,
    validate: (c) => chinaIdValid(c.value),
  },
  {
    type: 'IN_AADHAAR',
    pattern: r`\b[2-9]\d{3}([ -]?)\d{4}[ -]?\d{4}\b`,
    score: 0.85,
    validate: (c) => {
      const digits = digitsOnly(c.value);
      if (digits.length !== 12 || !verhoeffValid(digits) || isRepeatedChar(digits)) return false;
      if (extendsNumber(c.text, c.start, c.end, '-./: ') || inArithmetic(c.text, c.start, c.end)) return false;
      // Whole words: "uid" inside uuid, guid or build is not the UID.
      const near = wordNear(c.text, c.start, c.end, ['aadhaar', 'aadhar', 'uidai', 'uid']);
      const separated = c.value.length === 14 && c.value[4] === c.value[9];
      if (near) return 0.95;
      return separated ? 0.7 : false;
    },
  },
  {
    type: 'UK_NHS',
    keywords: ['nhs'],
    pattern: r`\b\d{3}([ -]?)\d{3}[ -]?\d{4}\b`,
    score: 0.9,
    validate: (c) => nhsValid(digitsOnly(c.value)) && !extendsNumber(c.text, c.start, c.end) && keywordNear(c.text, c.start, c.end, ['nhs'], 64),
  },
];
