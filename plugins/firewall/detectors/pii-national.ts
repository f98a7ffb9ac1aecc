// National identifiers with check digits: Brazil CPF, Canada SIN, Spain DNI/NIF and NIE.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { digitsOnly } from '../validators/luhn.js';
import { cpfValid, dniValid, nieValid, sinValid } from '../validators/national-ids.js';
import { sequentialRatio } from '../validators/entropy.js';
import { extendsNumber, isAlnumAt } from '../context.js';
import { wordNear } from '../validators/words.js';

const r = String.raw;

const CPF_WORDS = ['cpf', 'cadastro de pessoas', 'contribuinte'];
const SIN_WORDS = ['sin', 'social insurance', 'insurance number', 'nas', 'assurance sociale', 'numéro d’assurance', "numéro d'assurance"];
const ES_WORDS = ['dni', 'nif', 'nie', 'd.n.i', 'documento', 'identidad', 'identificación', 'identificacion', 'fiscal', 'pasaporte'];

/** 12345678 and 98765432 are examples, not ids. */
function counting(digits: string): boolean {
  return sequentialRatio(digits) > 0.7;
}

function cpf(c: Candidate): Verdict {
  if (extendsNumber(c.text, c.start, c.end)) return false;
  const digits = digitsOnly(c.value);
  if (!cpfValid(digits) || counting(digits.slice(0, 9))) return false;
  const formatted = c.value.length === 14;
  const near = wordNear(c.text, c.start, c.end, CPF_WORDS);
  // The dotted form is the CPF's own; eleven bare digits need the word.
  if (formatted) return near ? 1.0 : 0.85;
  return near ? 0.9 : false;
}

function sin(c: Candidate): Verdict {
  if (extendsNumber(c.text, c.start, c.end, '-./:')) return false;
  const digits = digitsOnly(c.value);
  if (!sinValid(digits) || counting(digits)) return false;
  // A CSV column named "sin" can be a few rows up: a wider window than for inline mentions.
  return wordNear(c.text, c.start, c.end, SIN_WORDS, 160) ? 0.9 : false;
}

function dni(c: Candidate): Verdict {
  if (isAlnumAt(c.text, c.start - 1) || isAlnumAt(c.text, c.end) || extendsNumber(c.text, c.start, c.end)) return false;
  const digits = digitsOnly(c.value);
  const letter = c.value[c.value.length - 1]!;
  if (!dniValid(digits, letter) || counting(digits)) return false;
  return wordNear(c.text, c.start, c.end, ES_WORDS, 64) ? 0.95 : 0.75;
}

function nie(c: Candidate): Verdict {
  if (isAlnumAt(c.text, c.start - 1) || isAlnumAt(c.text, c.end)) return false;
  const digits = digitsOnly(c.value);
  if (!nieValid(c.value[0]!, digits, c.value[c.value.length - 1]!) || counting(digits)) return false;
  return wordNear(c.text, c.start, c.end, ES_WORDS, 64) ? 0.95 : 0.8;
}

export const NATIONAL_ID_RULES: RuleSpec[] = [
  { type: 'BR_CPF', pattern: r`\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|\b\d{11}\b`, score: 0.85, validate: cpf },
  { type: 'CA_SIN', pattern: r`\b\d{3}-\d{3}-\d{3}\b|\b\d{3} \d{3} \d{3}\b|\b\d{9}\b`, score: 0.9, validate: sin },
  { type: 'ES_NIF', pattern: r`\b\d{8}-?[A-Z]\b`, score: 0.75, validate: dni },
  { type: 'ES_NIE', pattern: r`\b[XYZ]-?\d{7}-?[A-Z]\b`, score: 0.8, validate: nie },
];
