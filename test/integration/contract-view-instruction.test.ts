// `view.addInstruction(text)`: a plugin adds a system instruction once, and each protocol's upstream
// gets it where that protocol keeps the client's system prompt — after what the client wrote, so a
// constant instruction leaves the client's cached prefix as it was.
import { expect } from 'chai';
import { definePlugin, z, type JsonObject } from '../../core/index.js';
import { runPlugin } from '../../core/testing/index.js';

const RULE = 'Answer in French.';
const plugin = definePlugin({
  name: 'instruct', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async ({ exchange }, next) => { exchange.view().addInstruction(RULE); await next(); } }),
});

async function upstreamBody(path: string, body: JsonObject): Promise<JsonObject> {
  const r = await runPlugin(plugin, { path, body, headers: { 'anthropic-version': '2023-06-01' }, upstream: { json: {} } });
  return r.upstreamRequests[0]!.body as JsonObject;
}

describe('view.addInstruction: a system instruction in every protocol', () => {
  it('Chat: a system message after the client\'s leading system and developer messages', async () => {
    const body = await upstreamBody('/v1/chat/completions', { model: 'm', messages: [
      { role: 'developer', content: 'You are terse.' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'bye' },
    ] });
    expect(body['messages']).to.deep.equal([
      { role: 'developer', content: 'You are terse.' }, { role: 'system', content: RULE },
      { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'bye' },
    ]);
  });

  it('Responses: appended to `instructions`, or as them', async () => {
    expect((await upstreamBody('/v1/responses', { model: 'm', instructions: 'You are Codex.', input: 'hi' }))['instructions']).to.equal(`You are Codex.\n\n${RULE}`);
    const bare = await upstreamBody('/v1/responses', { model: 'm', input: 'hi' });
    expect(bare['instructions']).to.equal(RULE);
    expect(bare['input']).to.equal('hi');
  });

  it('Anthropic Messages: the `system` prompt, a string or blocks (cache breakpoints kept in place)', async () => {
    const blocks = [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }];
    const withBlocks = await upstreamBody('/v1/messages', { model: 'claude-x', max_tokens: 10, system: structuredClone(blocks), messages: [{ role: 'user', content: 'hi' }] });
    expect(withBlocks['system']).to.deep.equal([...blocks, { type: 'text', text: RULE }]);
    expect(withBlocks['messages']).to.deep.equal([{ role: 'user', content: 'hi' }]);
    expect((await upstreamBody('/v1/messages', { model: 'claude-x', max_tokens: 10, system: 'Be kind.', messages: [{ role: 'user', content: 'hi' }] }))['system']).to.equal(`Be kind.\n\n${RULE}`);
    expect((await upstreamBody('/v1/messages', { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))['system']).to.equal(RULE);
  });

  it('Gemini: `systemInstruction` (or the snake_case key the client used); countTokens inside generateContentRequest', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];
    const plain = await upstreamBody('/v1beta/models/g:generateContent', { contents });
    expect(plain['systemInstruction']).to.deep.equal({ parts: [{ text: RULE }] });
    expect(plain['contents']).to.deep.equal(contents);
    const snake = await upstreamBody('/v1beta/models/g:generateContent', { contents, system_instruction: { parts: [{ text: 'Be kind.' }] } });
    expect(snake['system_instruction']).to.deep.equal({ parts: [{ text: 'Be kind.' }, { text: RULE }] });
    expect(snake).to.not.have.property('systemInstruction');
    const counted = await upstreamBody('/v1beta/models/g:countTokens', { generateContentRequest: { model: 'models/g', contents } });
    expect((counted['generateContentRequest'] as JsonObject)['systemInstruction']).to.deep.equal({ parts: [{ text: RULE }] });
  });

  it('the instruction is a system segment the next reader sees', async () => {
    let kinds: string[] = [];
    const reader = definePlugin({
      name: 'reader', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
      setup: () => ({ middleware: async ({ exchange }, next) => {
        exchange.view().addInstruction(RULE);
        kinds = exchange.view().segments().filter((s) => s.text === RULE).map((s) => s.kind);
        await next();
      } }),
    });
    await runPlugin(reader, { path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, upstream: { json: {} } });
    expect(kinds).to.deep.equal(['system']);
  });
});
