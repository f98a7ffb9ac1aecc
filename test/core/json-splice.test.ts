// spliceJson: a changed body serialised with the source's own text for every value left alone.
import { expect } from 'chai';
import { spliceJson } from '../../core/protocols/json-splice.js';
import type { JsonValue } from '../../core/index.js';

/** Parses `source`, lets `change` edit the parse, and splices. */
function splice<T>(source: string, change: (v: T) => void): string {
  const v = JSON.parse(source) as T;
  change(v);
  return spliceJson(source, v as JsonValue);
}

describe('spliceJson', () => {
  it('an unchanged value is the source itself, whitespace and all', () => {
    const src = ' { "a" : 12345678901234567890 , "b": [1.0, "x\\u00e9"] }\n';
    expect(spliceJson(src, JSON.parse(src) as JsonValue)).to.equal(src);
  });

  it('only the changed string is serialised anew; numbers and escapes beside it keep their text', () => {
    const src = '{"seed":12345678901234567890,"t":1.0,"n":1e3,"m":[{"c":"secret"},{"c":"caf\\u00e9"}],"id":9007199254740993}';
    expect(splice<{ m: { c: string }[] }>(src, (v) => { v.m[0]!.c = '[X_1]'; })).to.equal(src.replace('secret', '[X_1]'));
  });

  it('members added, dropped and replaced; arrays grown and shrunk; a type changed', () => {
    const src = '{"a":1,"b":{"x":18446744073709551615},"c":[1,2,3],"d":"s","e":[10000000000000000001]}';
    const out = splice<{ a?: number; c: number[]; e: number[]; d: unknown; z?: null }>(src, (v) => { delete v.a; v.c.pop(); v.e.push(2); v.d = { k: true }; v.z = null; });
    expect(out).to.equal('{"b":{"x":18446744073709551615},"c":[1,2],"d":{"k":true},"e":[10000000000000000001,2],"z":null}');
  });

  it('a repeated key (JSON.parse keeps the last) gives that object serialised anew, the rest still spliced', () => {
    const src = '{"n":12345678901234567890,"o":{"k":1,"k":2,"s":"v"}}';
    expect(splice<{ o: { s: string } }>(src, (v) => { v.o.s = 'w'; })).to.equal('{"n":12345678901234567890,"o":{"k":2,"s":"w"}}');
  });

  it('a repeated key and a member the plugin added: the added member is not lost', () => {
    // As many repeats as added members left every count equal, and the object was kept as written.
    const src = '{"n":12345678901234567890,"o":{"model":"a","model":"b"}}';
    const out = splice<{ o: { model: string; metadata?: { user_id: string } } }>(src, (v) => { v.o.metadata = { user_id: 'u' }; });
    expect(JSON.parse(out)).to.deep.equal({ n: 12345678901234567890, o: { model: 'b', metadata: { user_id: 'u' } } });
    expect(out).to.match(/^\{"n":12345678901234567890,/);
  });

  it('a source that is not the value\'s JSON falls back to JSON.stringify', () => {
    expect(spliceJson('{"a":', { a: 1 })).to.equal('{"a":1}');
    expect(spliceJson('not json', [1, 'x'])).to.equal('[1,"x"]');
  });

  it('keys with escapes and __proto__ are matched as JSON.parse reads them', () => {
    const src = '{"\\u0061":123456789012345678901,"__proto__":{"p":1},"s":"x"}';
    expect(splice<{ s: string }>(src, (v) => { v.s = 'y'; })).to.equal('{"\\u0061":123456789012345678901,"__proto__":{"p":1},"s":"y"}');
  });

  it('deeper than it recurses: the deep part is serialised, nothing is lost but its spelling', () => {
    const src = `{"s":"a","d":${'['.repeat(400)}1.0${']'.repeat(400)}}`;
    const out = splice<{ s: string }>(src, (v) => { v.s = 'b'; });
    expect(JSON.parse(out)).to.deep.equal(JSON.parse(src.replace('"a"', '"b"')));
  });
});
