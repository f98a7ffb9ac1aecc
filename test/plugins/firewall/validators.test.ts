import { expect } from 'chai';
import { luhnValid } from '../../../plugins/firewall/validators/luhn.js';
import { ibanValid } from '../../../plugins/firewall/validators/iban.js';
import { verhoeffDigit, verhoeffValid } from '../../../plugins/firewall/validators/verhoeff.js';
import { chinaIdValid, nhsValid, ssnValid } from '../../../plugins/firewall/validators/national-ids.js';
import { base58CheckEncode, base58CheckValid } from '../../../plugins/firewall/validators/base58check.js';
import { bech32Encode, segwitAddressValid } from '../../../plugins/firewall/validators/bech32.js';
import { ethAddressValid, keccak256Hex, toChecksumAddress } from '../../../plugins/firewall/validators/keccak.js';
import { isUuid, looksFake, shannonEntropy } from '../../../plugins/firewall/validators/entropy.js';
import { codePointToUtf16 } from '../../../plugins/firewall/offsets.js';
import { resolveOverlaps } from '../../../plugins/firewall/merge.js';

describe('firewall validators', () => {
  const cases: Array<[string, () => boolean, boolean]> = [
    ['luhn valid', () => luhnValid('79927398713'), true],
    ['luhn invalid', () => luhnValid('79927398710'), false],
    ['iban DE valid', () => ibanValid('DE89370400440532013000'), true],
    ['iban spaced valid', () => ibanValid('GB82 WEST 1234 5698 7654 32'), true],
    ['iban wrong length', () => ibanValid('DE8937040044053201300'), false],
    ['iban wrong check', () => ibanValid('DE88370400440532013000'), false],
    ['verhoeff valid', () => verhoeffValid('2363'), true],
    ['verhoeff invalid', () => verhoeffValid('2364'), false],
    ['nhs valid', () => nhsValid('9434765919'), true],
    ['nhs invalid', () => nhsValid('9434765918'), false],
    ['china id valid', () => chinaIdValid('11010519491231002X'), true],
    ['china id bad date', () => chinaIdValid('110105194913310021'), false],
    ['ssn valid', () => ssnValid('536221234'), true],
    ['ssn 9xx', () => ssnValid('936221234'), false],
    ['ssn advertising 078-05-1120', () => ssnValid('078051120'), false],
    ['base58check genesis', () => base58CheckValid('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', [0]), true],
    ['base58check wrong version', () => base58CheckValid('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', [5]), false],
    ['bech32 v0', () => segwitAddressValid('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'), true],
    ['bech32 mixed case', () => segwitAddressValid('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3T4'), false],
    ['bech32 v1 with bech32 (not m) checksum', () => segwitAddressValid(bech32Encode('bc', [1, ...new Array(52).fill(3)], 'bech32')), false],
    ['bech32m v1', () => segwitAddressValid(bech32Encode('bc', [1, ...new Array(52).fill(3)], 'bech32m')), true],
    ['eip55 valid', () => ethAddressValid('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'), true],
    ['eip55 lower-case accepted', () => ethAddressValid('0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359'), true],
    ['eip55 wrong case', () => ethAddressValid('0xFb6916095ca1df60bB79Ce92cE3Ea74c37c5d359'), false],
    ['uuid', () => isUuid('123e4567-e89b-12d3-a456-426614174000'), true],
    ['fake run', () => looksFake('XXXXXXXXXXXXXXXX'), true],
    ['placeholder word', () => looksFake('your_api_key_here_1234'), true],
    ['random body', () => looksFake('q8Zr2LmV0tXc7NbK4sWp9YdE'), false],
  ];
  for (const [name, run, expected] of cases) it(name, () => expect(run()).to.equal(expected));

  it('verhoeffDigit completes a payload', () => expect(verhoeffDigit('236')).to.equal(3));
  it('keccak-256 of the empty string', () => expect(keccak256Hex('')).to.equal('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'));
  it('EIP-55 checksum casing', () => expect(toChecksumAddress('dbf03b407c01e7cd3cbea99509d93f8dddc8c6fb')).to.equal('0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB'));
  it('base58check round trip', () => {
    const payload = Uint8Array.from([5, ...new Array(20).fill(7)]);
    expect(base58CheckValid(base58CheckEncode(payload), [5])).to.equal(true);
  });
  it('entropy of a random string beats a repeated one', () => expect(shannonEntropy('aZ3kP9qL')).to.be.greaterThan(shannonEntropy('aaaaaaab')));

  it('converts code-point offsets to UTF-16 offsets', () => {
    const text = 'a😀b𝄞c';
    const map = codePointToUtf16(text);
    expect([0, 1, 2, 3, 4, 5].map(map)).to.deep.equal([0, 1, 3, 4, 6, 7]);
    expect(codePointToUtf16('plain')(3)).to.equal(3);
  });

  it('resolves overlaps: higher score wins, then the longer span', () => {
    const merged = resolveOverlaps([
      { type: 'A', start: 0, end: 10, score: 0.5, detector: 'pii' },
      { type: 'B', start: 5, end: 8, score: 0.9, detector: 'pii' },
      { type: 'C', start: 20, end: 30, score: 0.8, detector: 'pii' },
      { type: 'D', start: 20, end: 25, score: 0.8, detector: 'presidio' },
    ]);
    expect(merged.map((f) => f.type)).to.deep.equal(['B', 'C']);
  });
});
