// withStringMemberBytes: a top-level string member replaced in the client's own bytes, or
// undefined whenever that could change the meaning (the caller then serialises the parsed body).
import { expect } from 'chai';
import { withStringMemberBytes } from '../../core/protocols/json-member.js';

const swap = (text: string): string | undefined => withStringMemberBytes(Buffer.from(text), 'model', 'b')?.toString('utf8');

describe('withStringMemberBytes', () => {
  it('replaces only the top-level member, keeping spacing, escapes, numbers and nested "model" keys', () => {
    const text = ' {\n "tools":[{"model":"x","n":[1,{"a":"}]\\"model\\""}]}] ,"model" : "a\\u0041", "seed":12345678901234567891,"t":1.0 }\n';
    expect(swap(text)).to.equal(text.replace('"a\\u0041"', '"b"'));
  });

  it('writes the new value as a JSON string', () => {
    expect(withStringMemberBytes(Buffer.from('{"model":"a"}'), 'model', 'say "hi"\n')?.toString('utf8')).to.equal('{"model":"say \\"hi\\"\\n"}');
  });

  it('gives up where bytes could not be spliced for certain', () => {
    expect(swap('{"messages":[]}'), 'no member').to.equal(undefined);
    expect(swap('{"model":5}'), 'not a string').to.equal(undefined);
    expect(swap('{"model":"a","model":"c"}'), 'written twice').to.equal(undefined);
    expect(swap('{"mod\\u0065l":"c","model":"a"}'), 'an escaped key').to.equal(undefined);
    expect(swap('[{"model":"a"}]'), 'not an object').to.equal(undefined);
  });
});
