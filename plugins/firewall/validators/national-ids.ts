// National identifiers that carry a check digit.
import { luhnValid } from './luhn.js';

/** UK NHS number: 10 digits, mod-11 weighted check (weights 10..2), check 10 is invalid. */
export function nhsValid(digits: string): boolean {
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === digits.charCodeAt(9) - 48;
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK = '10X98765432';

/** China resident identity card number (GB 11643): 17 digits + ISO 7064 MOD 11-2 check, valid birth date. */
export function chinaIdValid(id: string): boolean {
  if (id.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * CN_WEIGHTS[i]!;
  }
  if (CN_CHECK[sum % 11] !== id[17]!.toUpperCase()) return false;
  const province = Number(id.slice(0, 2));
  if (province < 11 || province > 91) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  return year >= 1900 && year <= 2100 && validDate(year, month, day);
}

export function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1]!;
}

/** US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000; known advertising numbers excluded. */
export function ssnValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  const group = digits.slice(3, 5);
  const serial = digits.slice(5);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  if (digits === '078051120' || digits === '219099999' || digits === '123456789') return false;
  // A run of one digit (111-11-1111) is a placeholder.
  return !isRepeatedChar(digits);
}

/** True when every character equals the first (1111111, aaaa). */
export function isRepeatedChar(value: string): boolean {
  for (let i = 1; i < value.length; i++) if (value[i] !== value[0]) return false;
  return true;
}

/** Brazil CPF: 11 digits, two mod-11 check digits; repeated digits (111.111.111-11) are invalid. */
export function cpfValid(digits: string): boolean {
  if (digits.length !== 11 || isRepeatedChar(digits)) return false;
  for (const n of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (digits.charCodeAt(i) - 48) * (n + 1 - i);
    const rest = (sum * 10) % 11;
    if ((rest === 10 ? 0 : rest) !== digits.charCodeAt(n) - 48) return false;
  }
  return true;
}

/** Canada SIN: 9 digits, Luhn; a first digit of 8 marks a business number, not a person's SIN. */
export function sinValid(digits: string): boolean {
  if (digits.length !== 9 || digits[0] === '8' || isRepeatedChar(digits)) return false;
  return luhnValid(digits);
}

const ES_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spain DNI/NIF: 8 digits + check letter (number mod 23). */
export function dniValid(digits8: string, letter: string): boolean {
  if (digits8.length !== 8 || isRepeatedChar(digits8)) return false;
  return ES_LETTERS[Number(digits8) % 23] === letter.toUpperCase();
}

/** Spain NIE: X/Y/Z (0/1/2) + 7 digits + check letter. */
export function nieValid(prefix: string, digits7: string, letter: string): boolean {
  const lead = 'XYZ'.indexOf(prefix.toUpperCase());
  if (lead < 0 || digits7.length !== 7) return false;
  return ES_LETTERS[Number(String(lead) + digits7) % 23] === letter.toUpperCase();
}
