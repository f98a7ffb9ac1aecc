// A conversation that moves between a translated and a native provider keeps working: signatures a
// client got through translation are tagged with their family and resolved on passthrough.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

describe('reasoning signatures across translated and passthrough turns', () => {
  let gw: TestGateway;
  let client: Anthropic;
  before(async () => {
    // "claude-x" reaches loopback natively (passthrough); "via-chat" is translated to OpenAI Chat.
    gw = await startGateway(config({
      providers: '  chatonly: { type: loopback, protocols: [openai.chat] }\n',
      chain: '  - use: router\n    with:\n      default: local\n      routes: [{ match: "via-responses", provider: responsesonly }]\n  - use: translator',
    }).replace('providers:\n', 'providers:\n  responsesonly: { type: loopback, protocols: [openai.responses] }\n'));
    client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => gw.close());

  async function thinkingTurn(model: string) {
    const first = await client.messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: '[[think]] plan it' }] });
    const thinking = first.content.find((b) => b.type === 'thinking');
    expect(thinking, 'a signed thinking block').to.not.equal(undefined);
    return first;
  }

  it('a signature issued through translation is tagged, and the native provider still accepts the next turn', async () => {
    const first = await thinkingTurn('via-responses');
    const sig = (first.content.find((b) => b.type === 'thinking') as { signature: string }).signature;
    expect(sig).to.match(/^sluice1\.openai\./);
    // Next turn goes to the Anthropic-native loopback: the foreign reasoning is removed, not sent.
    const next = await client.messages.create({
      model: 'claude-x', max_tokens: 100,
      messages: [{ role: 'user', content: '[[think]] plan it' }, { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: 'and now?' }],
    });
    expect(next.content.find((b) => b.type === 'text')).to.deep.include({ text: 'Loopback reply. You said: and now?' });
  });

  it('an untagged native signature still reaches the native provider verbatim (a forged one is refused)', async () => {
    const first = await thinkingTurn('claude-x');
    const history = (content: Anthropic.ContentBlockParam[]) => client.messages.create({
      model: 'claude-x', max_tokens: 100,
      messages: [{ role: 'user', content: '[[think]] plan it' }, { role: 'assistant', content }, { role: 'user', content: 'and now?' }],
    });
    expect((await history(first.content as Anthropic.ContentBlockParam[])).content.some((b) => b.type === 'text')).to.equal(true);
    const forged = first.content.map((b) => (b.type === 'thinking' ? { ...b, thinking: b.thinking + ' edited' } : b));
    let status: number | undefined;
    try { await history(forged as Anthropic.ContentBlockParam[]); } catch (err) { status = (err as { status?: number }).status; }
    expect(status).to.equal(400);
  });
});
