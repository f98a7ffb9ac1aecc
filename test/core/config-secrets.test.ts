// A config error never echoes a secret: a value under a key that names one is not shown, and a
// URL's password is masked. A real key one character short would otherwise land in CI logs.
import { expect } from 'chai';
import path from 'node:path';
import { parseConfigText } from '../../core/config/load.js';
import { tempDir } from '../helpers/gateway.js';

function errorOf(yaml: string): string {
  try {
    parseConfigText(yaml, path.join(tempDir('sluice-config-secrets-'), 'sluice.yaml'), {});
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('config errors keep secrets out', () => {
  it('admin.key too short: says what was expected, not the key', () => {
    const message = errorOf('admin: { key: "hunter2-secret" }\n');
    expect(message).to.match(/admin\.key: expected a string of at least 16 characters, got a value not shown here/);
    expect(message).to.not.include('hunter2');
  });

  it('a URL with a password: the password masked', () => {
    const message = errorOf('storage: { redis: "http://user:hunter2@cache:6379" }\n');
    expect(message).to.match(/storage\.redis: expected .*, got "http:\/\/user:\*\*\*@cache:6379"/);
    expect(message).to.not.include('hunter2');
  });

  it('a URL with a key in its query (Google takes ?key=): the key masked, with or without a scheme', () => {
    for (const [yaml, shown] of [
      ['providers: { g: { type: gemini, base_url: "gemini.corp?key=AIzaHunter2" } }\n', 'gemini.corp?key=***'],
      ['providers: { g: { type: gemini, base_url: "ftp://gw.corp?alt=sse&api_key=hunter2" } }\n', 'ftp://gw.corp?alt=sse&api_key=***'],
      ['storage: { redis: "http://cache:6379/?password=hunter2" }\n', 'http://cache:6379/?password=***'],
    ]) {
      const message = errorOf(`chain: [{ use: router, with: { default: g } }]\n${yaml}`);
      expect(message).to.include(`got "${shown}"`);
      expect(message).to.not.match(/hunter2/i);
    }
  });

  it('other values are still shown', () => {
    expect(errorOf('server: { port: 99999 }\n')).to.match(/got 99999/);
    expect(errorOf('logging: { level: "loud" }\n')).to.match(/got "loud"/);
  });
});
