// An empty api_key (a `${VAR:-}` whose variable is unset) is valid config, and every request to that
// provider would go without credentials: start-up says so, naming the provider.
import { expect } from 'chai';
import { config, startGateway } from '../helpers/gateway.js';

describe('providers: an empty api_key', () => {
  it('is named at start-up (and a provider with a key, or none, is not)', async () => {
    const gw = await startGateway(config({
      providers: [
        '  keyless: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: "" }',
        '  rotated: { type: anthropic, base_url: "http://127.0.0.1:9", api_key: ["k1", " "] }',
        '  keyed: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k }',
        '  ollama: { type: openai, base_url: "http://127.0.0.1:9/v1" }',
      ].join('\n'),
      chain: '  - use: router\n    with: { default: local }',
    }));
    try {
      const warned = gw.logs.filter((l) => l.includes('provider has an empty api_key')).map((l) => (JSON.parse(l) as { provider: string }).provider);
      expect(warned.sort()).to.deep.equal(['keyless', 'rotated']);
    } finally {
      await gw.close();
    }
  });
});
