import { expect } from 'chai';
import { engine, expectFound, expectNothing, scan } from './helpers.js';
import { verhoeffDigit } from '../../../plugins/firewall/validators/verhoeff.js';
import { toChecksumAddress } from '../../../plugins/firewall/validators/keccak.js';

const aadhaarPayload = '23456789012';
const AADHAAR = `${aadhaarPayload}${verhoeffDigit(aadhaarPayload)}`.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3');
const ETH = toChecksumAddress('5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');

// [type, text, value]
const POSITIVES: Array<[string, string, string]> = [
  ['EMAIL_ADDRESS', 'Write to jane.doe+billing@acme-corp.co.uk today', 'jane.doe+billing@acme-corp.co.uk'],
  ['EMAIL_ADDRESS', '{"email":"m.rossi@posta.it"}', 'm.rossi@posta.it'],
  // An apostrophe inside the local part (O'Connor, D'Angelo) is part of the address (RFC 5322 atext).
  ['EMAIL_ADDRESS', "mail Mary.O'Connor@example-corp.ie now", "Mary.O'Connor@example-corp.ie"],
  ['EMAIL_ADDRESS', "to: d'angelo.luca@posta-mail.it", "d'angelo.luca@posta-mail.it"],
  // …while quotes around an address stay outside it.
  ['EMAIL_ADDRESS', "owner='bob.lee@corp-mail.io'", 'bob.lee@corp-mail.io'],
  // URL-encoded, as query strings and access logs write it.
  ['EMAIL_ADDRESS', 'GET /api/users?email=john.doe%40fastmail.com&page=2 HTTP/1.1', 'john.doe%40fastmail.com'],
  ['EMAIL_ADDRESS', 'mailto:ann.lee%40corp-mail.io', 'ann.lee%40corp-mail.io'],
  ['EMAIL_ADDRESS', 'ssh into the box, then mail ann.lee@corp-mail.io', 'ann.lee@corp-mail.io'],
  // Letters beyond ASCII (SMTPUTF8 local parts, IDN domains), found whole, not from the last ASCII letter on.
  ['EMAIL_ADDRESS', 'escríbeme a josé@correo.es mañana', 'josé@correo.es'],
  ['EMAIL_ADDRESS', 'Kontakt: müller@example.de.', 'müller@example.de'],
  ['EMAIL_ADDRESS', 'Ünal.Yılmaz@firma.com.tr yazın', 'Ünal.Yılmaz@firma.com.tr'],
  ['EMAIL_ADDRESS', 'écrivez à françois.dupont@société.fr', 'françois.dupont@société.fr'],
  ['EMAIL_ADDRESS', 'пишите: иван.петров@почта.рус.ru', 'иван.петров@почта.рус.ru'],
  ['EMAIL_ADDRESS', `decomposed jose\u0301@correo.es too`, `jose\u0301@correo.es`],
  // In Chinese or Japanese prose the address follows the sentence unspaced: the address alone.
  ['EMAIL_ADDRESS', '请联系张三zhang.san@corp-mail.cn谢谢', 'zhang.san@corp-mail.cn'],
  ['EMAIL_ADDRESS', '「メールはtanaka@例え.jpへ」', 'tanaka@例え.jp'],
  ['EMAIL_ADDRESS', '“quoted ann.lee@corp-mail.io”', 'ann.lee@corp-mail.io'],
  ['EMAIL_ADDRESS', 'mail“josé@correo.es”', 'josé@correo.es'],
  ['EMAIL_ADDRESS', 'smile 😀bob.lee@corp-mail.io', 'bob.lee@corp-mail.io'],
  ['EMAIL_ADDRESS', `${'请'.repeat(80)}zhang@corp-mail.cn`, 'zhang@corp-mail.cn'],
  ['PHONE_NUMBER', 'Call me at +1 415-555-0132 tomorrow', '+1 415-555-0132'],
  ['PHONE_NUMBER', 'UK office: +44 20 7946 0958.', '+44 20 7946 0958'],
  ['PHONE_NUMBER', 'Mobil: +49 151 23456789', '+49 151 23456789'],
  ['PHONE_NUMBER', 'tel +33 6 12 34 56 78', '+33 6 12 34 56 78'],
  ['PHONE_NUMBER', '"phone": "+919876543210"', '+919876543210'],
  ['PHONE_NUMBER', 'calling 4155552671 now', '4155552671'],
  ['PHONE_NUMBER', 'cellNumber: 4155552671', '4155552671'],
  ['PHONE_NUMBER', 'Telephone 4155552671', '4155552671'],
  ['PHONE_NUMBER', 'Tel.: 612 345 678', '612 345 678'],
  ['PHONE_NUMBER', 'Reach us on (212) 555-0199 any time', '(212) 555-0199'],
  ['PHONE_NUMBER', 'cell 650.253.0000 after 5', '650.253.0000'],
  ['PHONE_NUMBER', 'Appelez le 06 12 34 56 78 svp', '06 12 34 56 78'],
  ['PHONE_NUMBER', 'mobile 07700 900123', '07700 900123'],
  ['CREDIT_CARD', 'Visa 4111 1111 1111 1111 exp 12/27', '4111 1111 1111 1111'],
  ['CREDIT_CARD', 'mc=5555555555554444;', '5555555555554444'],
  ['CREDIT_CARD', 'amex 3782-822463-10005 ok', '3782-822463-10005'],
  ['CREDIT_CARD', 'discover 6011111111111117', '6011111111111117'],
  ['CREDIT_CARD', 'jcb 3530111333300000', '3530111333300000'],
  ['CREDIT_CARD', 'diners 30569309025904', '30569309025904'],
  ['CREDIT_CARD', 'visa13 4222222222222', '4222222222222'],
  ['CREDIT_CARD', 'unionpay 6200000000000005', '6200000000000005'],
  ['IBAN_CODE', 'IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX', 'DE89 3704 0044 0532 0130 00'],
  ['IBAN_CODE', 'pay to GB82WEST12345698765432.', 'GB82WEST12345698765432'],
  ['IBAN_CODE', 'FR14 2004 1010 0505 0001 3M02 606', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['IBAN_CODE', 'NL91ABNA0417164300', 'NL91ABNA0417164300'],
  ['US_SSN', 'SSN: 536-22-1234', '536-22-1234'],
  ['US_SSN', 'social security number 536221234', '536221234'],
  ['IP_ADDRESS', 'connect to 8.8.8.8 now', '8.8.8.8'],
  ['IP_ADDRESS', 'server at 54.239.28.85:443', '54.239.28.85'],
  ['IP_ADDRESS', 'ipv6 2001:4860:4860::8888 resolves', '2001:4860:4860::8888'],
  ['IP_ADDRESS', 'full 2a00:1450:4001:0829:0000:0000:0000:200e here', '2a00:1450:4001:0829:0000:0000:0000:200e'],
  ['MAC_ADDRESS', 'mac 00:1A:2B:3C:4D:5E on eth0', '00:1A:2B:3C:4D:5E'],
  ['MAC_ADDRESS', 'hw 3c-22-fb-7a-10-9e', '3c-22-fb-7a-10-9e'],
  ['CRYPTO', 'send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa please', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
  ['CRYPTO', 'p2sh 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
  ['CRYPTO', 'segwit bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
  ['CRYPTO', 'taproot bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297.', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297'],
  ['CRYPTO', `eth ${ETH} wallet`, ETH],
  ['CRYPTO', 'lower 0x52908400098527886e0f7030069857d2e4169ee7', '0x52908400098527886e0f7030069857d2e4169ee7'],
  ['CN_RESIDENT_ID', '身份证号 11010519491231002X 。', '11010519491231002X'],
  ['IN_AADHAAR', `Aadhaar no. ${AADHAAR}`, AADHAAR],
  ['IN_AADHAAR', `UID: ${AADHAAR.replace(/ /g, '')}`, AADHAAR.replace(/ /g, '')],
  ['UK_NHS', 'NHS number 943 476 5919', '943 476 5919'],
];

const NEGATIVES: Array<[string, string, string]> = [
  ['EMAIL_ADDRESS', 'retina asset icon@2x.png', 'file name'],
  ['EMAIL_ADDRESS', 'asset ícono@2x.png', 'file name with an accent'],
  ['EMAIL_ADDRESS', 'café@würzburg', 'no top-level domain'],
  ['EMAIL_ADDRESS', 'price 价格@“shop”.com', 'punctuation in the domain'],
  ['EMAIL_ADDRESS', 'git clone git@github.com:org/repo.git', 'ssh remote'],
  ['EMAIL_ADDRESS', 'contact you@example.com', 'placeholder'],
  ['EMAIL_ADDRESS', 'npm i left-pad@1.3.0', 'package version'],
  ['EMAIL_ADDRESS', 'GET /search?q=you%40example.com', 'URL-encoded placeholder'],
  ['EMAIL_ADDRESS', '$ ssh -i ~/.ssh/id_ed25519 ubuntu@ec2-54-183-22-10.us-west-1.compute.amazonaws.com', 'an ssh destination'],
  ['EMAIL_ADDRESS', 'scp build.tar.gz deploy@web01.corp-mail.io:/var/www/', 'an scp destination'],
  ['EMAIL_ADDRESS', 'rsync -avz ./dist/ ops@files.corp-mail.io:backups/', 'an rsync destination'],
  ['EMAIL_ADDRESS', 'https://bob%40corp-mail.io:s3cr3tPass@git.corp-mail.io/repo', 'URL-encoded user of URL credentials'],
  ['PHONE_NUMBER', 'released version 1.22.333.4444', 'version string'],
  ['PHONE_NUMBER', 'on 2024-01-15 and 2024-01-15T10:20:30Z', 'ISO dates'],
  ['PHONE_NUMBER', 'timestamp 1700000000123 and id 4155550132', 'bare numbers without context'],
  // A phone word is a word of its own, not letters inside another word.
  ['PHONE_NUMBER', 'the string 4155552671 is an id', '"string" holds "ring"'],
  ['PHONE_NUMBER', '{"type":"string","value":"6502530000"}', 'a JSON schema\'s "string"'],
  ['PHONE_NUMBER', 'hotel booking ref 4155552671', '"hotel" holds "tel"'],
  ['PHONE_NUMBER', 'excellent, order 2125550143 shipped', '"excellent" holds "cell"'],
  ['PHONE_NUMBER', 'intelligence report 3125550176', '"intelligence" holds "tel"'],
  ['PHONE_NUMBER', 'telemetry event 3125550176', '"telemetry" starts with "tel"'],
  ['PHONE_NUMBER', 'callback id 2125550143', '"callback" starts with "call"'],
  ['PHONE_NUMBER', 'the string 612 345 678 again', 'nine digits in threes beside "string"'],
  ['PHONE_NUMBER', 'a+1234567890 is math', 'glued to a word'],
  ['PHONE_NUMBER', 'version +1.2.3', 'version with plus'],
  ['PHONE_NUMBER', 'invalid NANP 123-456-7890', 'area code starting with 1'],
  ['PHONE_NUMBER', 'order 2024.01.15.1234', 'dotted date'],
  ['CREDIT_CARD', 'card 4111 1111 1111 1112', 'bad Luhn'],
  ['CREDIT_CARD', 'id 1234567812345670', 'Luhn-valid but no brand'],
  ['CREDIT_CARD', 'ts 1700000000000000', 'timestamp'],
  ['CREDIT_CARD', 'ref 4111-1111 1111-1111', 'mixed separators'],
  ['IBAN_CODE', 'DE89 3704 0044 0532 0130 01', 'bad mod-97'],
  ['IBAN_CODE', 'XX89370400440532013000', 'unknown country'],
  ['US_SSN', 'ssn 000-12-3456', 'area 000'],
  ['US_SSN', 'ssn 666-12-3456', 'area 666'],
  ['US_SSN', 'ssn 912-34-5678', 'area 9xx'],
  ['US_SSN', 'ssn 536-00-1234', 'group 00'],
  ['US_SSN', 'ssn 536-22-0000', 'serial 0000'],
  ['US_SSN', 'number 536221234 alone', 'bare nine digits without keyword'],
  ['IP_ADDRESS', 'bad 999.1.1.1 and 256.256.256.256', 'octet out of range'],
  ['IP_ADDRESS', 'version 10.0.0.1 and v1.2.3.4', 'version strings'],
  ['IP_ADDRESS', 'oid 1.3.6.1.4.1.311', 'longer dotted run'],
  ['IP_ADDRESS', 'netmask 255.255.255.0 bind 0.0.0.0', 'mask and unspecified'],
  ['IP_ADDRESS', 'std::vector<int> and Foo::Bar::baz', 'C++ scopes'],
  ['IP_ADDRESS', 'at 12:30:45 and 2024-01-15T10:20:30', 'times'],
  ['IP_ADDRESS', 'loopback ::1', 'IPv6 loopback'],
  ['MAC_ADDRESS', 'broadcast ff:ff:ff:ff:ff:ff', 'broadcast'],
  ['MAC_ADDRESS', 'ipv6 fe80:0:0:0:0:0:0:1', 'not six pairs'],
  ['CRYPTO', 'btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'bad base58 checksum'],
  ['CRYPTO', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bad bech32 checksum'],
  ['CRYPTO', `eth ${ETH.slice(0, 3) + (ETH[3] === ETH[3]!.toUpperCase() ? ETH[3]!.toLowerCase() : ETH[3]!.toUpperCase()) + ETH.slice(4)}`, 'bad EIP-55 case'],
  ['CRYPTO', 'zero 0x0000000000000000000000000000000000000000', 'zero address'],
  ['CRYPTO', 'tx 0x' + 'ab12'.repeat(16), '64-hex hash'],
  ['CN_RESIDENT_ID', 'id 110105194912310021', 'bad check character'],
  ['IN_AADHAAR', 'code 2345 6789 0120', 'bad Verhoeff'],
  // "uid" is the word UID, not the inside of uuid, guid or build.
  ['IN_AADHAAR', `{"uuid":"a1","amount":${AADHAAR.replace(/ /g, '')}}`, 'a 12-digit number beside "uuid"'],
  ['IN_AADHAAR', `guid ${AADHAAR.replace(/ /g, '')}`, 'beside "guid"'],
  ['UK_NHS', 'NHS number 943 476 5918', 'bad mod-11'],
  ['UK_NHS', 'ref 943 476 5919', 'no NHS keyword'],
];

describe('firewall PII detector', () => {
  describe('true positives (exact type and offsets)', () => {
    for (const [type, text, value] of POSITIVES) it(`${type}: ${value}`, () => expectFound(text, value, type));
  });
  describe('near misses', () => {
    for (const [type, text, why] of NEGATIVES) it(`${type}: ${why}`, () => expectNothing(text, type));
  });

  it('reports only public IPs by default; private ranges at a lower score with ignore_private_ips: false', () => {
    const text = 'hosts 10.0.0.5, 172.16.4.1, 192.0.2.10 (docs), 198.18.0.9 (bench), fd12:3456:789a::1 and 8.8.4.4';
    expect(scan(text).map((f) => text.slice(f.start, f.end))).to.deep.equal(['8.8.4.4']);
    const all = engine({ pii: { ignore_private_ips: false } }).scan(text).filter((f) => f.type === 'IP_ADDRESS');
    expect(all.map((f) => [text.slice(f.start, f.end), f.score])).to.deep.equal([
      ['10.0.0.5', 0.6], ['172.16.4.1', 0.6], ['192.0.2.10', 0.6], ['198.18.0.9', 0.6], ['fd12:3456:789a::1', 0.6], ['8.8.4.4', 0.9],
    ]);
  });

  describe('dotted versions are not IP addresses', () => {
    for (const text of [
      '"version": "1.2.3.4"', 'node 20.1.0.1 crashes', 'Firmware 3.1.0.7 is out', 'Chrome/124.0.6367.91', 'AssemblyVersion("1.0.0.0")',
      'tensorflow==2.15.0.1', 'protobuf-3.20.3.1-py3-none-any.whl', 'acme-agent-5.2.0.1.x86_64.rpm', 'The SDK is at 12.4.1.0 now',
      'update to 6.1.0.2 before Friday', '## [4.11.2.1] - 2024-04-30', 'tag: release-2.14.1.7', 'ruby 3.3.0.1', '1.2.3.4-beta',
    ]) it(text, () => expectNothing(text, 'IP_ADDRESS'));
    for (const [text, ip] of [
      ['connect to 52.14.7.201 now', '52.14.7.201'], ['ssh ec2-user@52.14.7.201', '52.14.7.201'], ['ip=52.14.7.201', '52.14.7.201'],
      ['from 52.14.7.201 (node 20)', '52.14.7.201'], ['https://52.14.7.201:8443/health', '52.14.7.201'], ['server at 54.239.28.85:443', '54.239.28.85'],
    ]) it(`still an address: ${text}`, () => expectFound(text, ip!, 'IP_ADDRESS'));
  });

  it('computes offsets as UTF-16 indexes after astral characters', () => {
    const text = '👩‍💻 mail 😀 ana@exemplo.pt';
    expectFound(text, 'ana@exemplo.pt', 'EMAIL_ADDRESS');
  });
});
