// A plugin's provider type (`providerTypes`) is named in YAML like a built-in one: it validates,
// starts, serves; an unknown type is refused at its line, by `config validate` as by start-up.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { ConfigError } from '../../core/config/config-error.js';
import { loadConfigFile } from '../../core/config/load.js';
import { validateConfig } from '../../core/cli/validate.js';
import { QUICK_SHUTDOWN, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';

const PLUGIN = `import { definePlugin, z } from 'sluice';
class FortuneProvider {
  type = 'fortune';
  protocols = ['openai.chat'];
  constructor(name, config) { this.name = name; this.models = config.models; }
  async send(request) {
    return { kind: 'json', status: 200, headers: {}, protocol: request.protocol, body: {
      id: 'chatcmpl-fortune', object: 'chat.completion', created: 1, model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'fortune for ' + request.model }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } } };
  }
  async close() {}
}
export default definePlugin({
  name: 'fortune-provider', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  providerTypes: { fortune: (name, config) => new FortuneProvider(name, config) },
  setup: () => ({}),
});
`;

const config = (type: string) => `providers:
  teller:
    type: ${type}
    models: [fortune-1]
chain:
  - use: ./fortune.js
  - use: router
    with: { default: teller }
${QUICK_SHUTDOWN}`;

describe('plugin provider types in YAML', () => {
  let gw: TestGateway | undefined;
  after(async () => { await gw?.close(); });

  it('a type a plugin adds validates, starts and serves', async () => {
    const dir = tempDir('sluice-ptype-');
    writeFileSync(path.join(dir, 'fortune.js'), PLUGIN);
    writeFileSync(path.join(dir, 'sluice.yaml'), config('fortune'));
    const validated = await validateConfig(await loadConfigFile(path.join(dir, 'sluice.yaml')));
    expect(validated.providers).to.deep.equal(['teller']);
    gw = await startGateway(config('fortune'), { dir });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'fortune-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]!.message.content).to.equal('fortune for fortune-1');
  });

  it('an unknown type is refused at its line, naming the known ones, by validate and start alike', async () => {
    const dir = tempDir('sluice-ptype-');
    writeFileSync(path.join(dir, 'fortune.js'), PLUGIN);
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, config('fortunes'));
    try {
      await validateConfig(await loadConfigFile(file));
      expect.fail('validated');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/sluice\.yaml:3/).and.to.contain('unknown provider type "fortunes" (did you mean "fortune"? known: openai, anthropic, gemini, loopback, fortune');
    }
    try {
      await startGateway(config('fortunes'), { dir });
      expect.fail('started');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/sluice\.yaml:3/).and.to.contain('known: openai, anthropic, gemini, loopback, fortune');
    }
  });
});
