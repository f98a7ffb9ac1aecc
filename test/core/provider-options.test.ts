// Provider options for the connection queue and the stream event limit: defaults and validation.
import { expect } from 'chai';
import { ConfigError } from '../../core/config/config-error.js';
import { parseConfigText } from '../../core/config/load.js';
import { toBytes } from '../../core/config/byte-size.js';

const withProvider = (provider: string) => `providers:
  up: ${provider}
chain:
  - use: router
    with: { default: up }
`;

describe('config: provider queue and max_event_size', () => {
  it('defaults to a queue of 256 waiting at most 10 s, and 32 MiB events', () => {
    const p = parseConfigText(withProvider('{ type: openai }'), 'x.yaml', {}).config.providers['up']!;
    expect(p.queue).to.deep.equal({ max: 256, timeout_ms: 10_000 });
    expect(toBytes(p.max_event_size)).to.equal(32 * 1024 * 1024);
  });

  it('takes a queue of 0 (never wait), a partial queue mapping, and a size such as 512kb', () => {
    const p = parseConfigText(withProvider('{ type: openai, queue: { max: 0 }, max_event_size: 512kb }'), 'x.yaml', {}).config.providers['up']!;
    expect(p.queue).to.deep.equal({ max: 0, timeout_ms: 10_000 });
    expect(toBytes(p.max_event_size)).to.equal(512 * 1024);
  });

  const failures: [string, string, RegExp][] = [
    ['a negative queue.max', '{ type: openai, queue: { max: -1 } }', /providers\.up\.queue\.max: expected an integer from 0/],
    ['a zero queue.timeout_ms', '{ type: openai, queue: { timeout_ms: 0 } }', /providers\.up\.queue\.timeout_ms: expected an integer/],
    ['an unknown queue option', '{ type: openai, queue: { size: 4 } }', /providers\.up\.queue\.size: expected no option "size" \(known: max, timeout_ms\)/],
    ['a max_event_size that is not a size', '{ type: openai, max_event_size: huge }', /providers\.up\.max_event_size: /],
  ];
  for (const [name, provider, message] of failures) {
    it(`rejects ${name}`, () => {
      expect(() => parseConfigText(withProvider(provider), 'x.yaml', {})).to.throw(ConfigError, message);
    });
  }
});
