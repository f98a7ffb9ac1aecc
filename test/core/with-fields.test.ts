import { expect } from 'chai';
import { withUsageRequested } from '../../core/http/chat-usage.js';
import { withFields } from '../../core/index.js';
import type { JsonObject } from '../../core/protocols/types.js';

describe('withFields: an object spread with fields added, as the hot paths build it', () => {
  it('gives what `{ ...base, ...extra }` gives: own fields in order, extra last and winning', () => {
    const base = { a: 1, b: 'two', nested: { c: true } };
    const out = withFields(base, { b: 'over', d: null });
    expect(out).to.deep.equal({ ...base, ...{ b: 'over', d: null } });
    expect(Object.keys(out)).to.deep.equal(['a', 'b', 'nested', 'd']);
    expect(out.nested).to.equal(base.nested); // shallow, as a spread
    expect(base).to.deep.equal({ a: 1, b: 'two', nested: { c: true } });
  });

  it('copies a client\'s own `__proto__` key as a field, never as the copy\'s prototype', () => {
    const body = JSON.parse('{"__proto__": {"polluted": true}, "model": "m"}') as JsonObject;
    const out = withFields(body, { extra: 1 });
    expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
    expect((out as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(Object.hasOwn(out, '__proto__')).to.equal(true);
    expect(JSON.stringify(out)).to.equal('{"__proto__":{"polluted":true},"model":"m","extra":1}');
    const inExtra = withFields({ a: 1 }, JSON.parse('{"__proto__": {"x": 1}}') as JsonObject);
    expect(Object.getPrototypeOf(inExtra)).to.equal(Object.prototype);
    expect(JSON.stringify(inExtra)).to.equal('{"a":1,"__proto__":{"x":1}}');
  });

  it('the chat stream asks for usage without losing the client\'s own stream options or fields', () => {
    expect(withUsageRequested({ model: 'm', stream: true })).to.deep.equal({ model: 'm', stream: true, stream_options: { include_usage: true } });
    const body = JSON.parse('{"__proto__":{"x":1},"model":"m","stream_options":{"include_usage":false,"other":2}}') as JsonObject;
    const asked = withUsageRequested(body);
    expect(JSON.stringify(asked)).to.equal('{"__proto__":{"x":1},"model":"m","stream_options":{"include_usage":true,"other":2}}');
    expect(body['stream_options']).to.deep.equal({ include_usage: false, other: 2 }); // the client's body is not changed
    const already = { model: 'm', stream_options: { include_usage: true } };
    expect(withUsageRequested(already)).to.equal(already);
  });
});
