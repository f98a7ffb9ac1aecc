import { expect } from 'chai';
import { expectFound, expectNothing, fake, scan, BASE32, HEX } from './helpers.js';

// Text that is JSON seen from outside: a transcript line given to `sluice scan`, or a tool result
// whose content is itself JSON (`{"stdout":"…\nAKIA…"}`), as the gateway's chain reads it. A value
// right after an escape such as `\n` follows the letter `n`, with no word boundary before it.
const AWS = `AKIA${fake(16, BASE32)}`;
const GH = `ghp_${fake(36)}`;
const EMAIL = 'jane.doe@acme-corp.io';

describe('firewall detectors on JSON-escaped text', () => {
  const cases: Array<[string, string, string]> = [
    ['AWS_ACCESS_KEY_ID', `{"output":"keys:\\n${AWS}\\n"}`, AWS],
    ['GITHUB_TOKEN', `{"output":"keys:\\n${GH}\\n"}`, GH],
    ['EMAIL_ADDRESS', `{"text":"mail:\\n${EMAIL}"}`, EMAIL],
    ['PHONE_NUMBER', `{"text":"phone:\\t+44 20 7946 0958"}`, '+44 20 7946 0958'],
    ['CREDIT_CARD', `{"text":"card\\n4539148803436467"}`, '4539148803436467'],
    ['IP_ADDRESS', `{"text":"ip\\n93.184.216.34"}`, '93.184.216.34'],
    ['US_SSN', `{"text":"ssn\\r\\n536-22-1234"}`, '536-22-1234'],
    ['IBAN_CODE', `{"text":"iban\\nDE89370400440532013000"}`, 'DE89370400440532013000'],
    // Escaped twice: a tool result's JSON inside a transcript's JSON.
    ['AWS_ACCESS_KEY_ID', `{"content":"{\\"out\\":\\"a\\\\n${AWS}\\"}"}`, AWS],
    // Escaped white space other encoders write.
    ['AWS_ACCESS_KEY_ID', `{"text":"\\u00a0${AWS} and"}`, AWS],
    ['EMAIL_ADDRESS', `{"text":"line\\u2028${EMAIL}"}`, EMAIL],
  ];
  for (const [type, text, value] of cases) it(`${type} after an escape in ${text.slice(0, 40)}…`, () => expectFound(text, value, type));

  it('still reads a JSON-escaped PEM block whole', () => {
    const body = fake(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
    const pem = `-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${body}\\n${body}\\n-----END PRIVATE KEY-----`;
    expectFound(`{"private_key":"${pem}\\n"}`, pem, 'PRIVATE_KEY');
  });

  it('finds nothing new in escaped code and paths', () => {
    expectNothing('{"code":"printf(\\"%d\\\\n\\", count);\\nreturn 0;"}');
    expectNothing('{"path":"C:\\\\new\\\\table\\\\notes.txt"}');
    expectNothing(`{"sha":"\\n${fake(40, HEX)}\\n"}`);
  });

  it('keeps offsets into the text as given', () => {
    const text = `{"a":"x\\n${EMAIL}\\t${AWS}"}`;
    expect(scan(text).map((f) => text.slice(f.start, f.end))).to.deep.equal([EMAIL, AWS]);
  });
});
