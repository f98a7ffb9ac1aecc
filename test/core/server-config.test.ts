// The server section's receive deadlines and nesting limit: defaults, and bounds that refuse
// settings that would disable the protection (0) or invite the stack overflow it prevents.
import { expect } from 'chai';
import { ConfigError } from '../../core/config/config-error.js';
import { parseConfigText } from '../../core/config/load.js';

const GOOD = `providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
`;

describe('config: server receive options', () => {
  it('defaults to 30 s for headers, 60 s for the body and a depth of 128', () => {
    const { server } = parseConfigText(GOOD, 'x.yaml', {}).config;
    expect(server).to.include({ headers_timeout_ms: 30_000, body_timeout_ms: 60_000, max_json_depth: 128 });
  });

  it('takes configured values', () => {
    const { server } = parseConfigText('server: { headers_timeout_ms: 5000, body_timeout_ms: 120000, max_json_depth: 64 }\n' + GOOD, 'x.yaml', {}).config;
    expect(server).to.include({ headers_timeout_ms: 5000, body_timeout_ms: 120_000, max_json_depth: 64 });
  });

  const refused: [string, RegExp][] = [
    ['server: { body_timeout_ms: 0 }', /server\.body_timeout_ms: expected an integer/],
    ['server: { headers_timeout_ms: 10 }', /server\.headers_timeout_ms: expected an integer/],
    ['server: { max_json_depth: 5000 }', /server\.max_json_depth: expected an integer from 8 to 1000/],
  ];
  for (const [line, message] of refused) {
    it(`refuses ${line}`, () => {
      expect(() => parseConfigText(`${line}\n${GOOD}`, 'x.yaml', {})).to.throw(ConfigError, message);
    });
  }
});
