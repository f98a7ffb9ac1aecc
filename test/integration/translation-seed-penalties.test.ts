// `seed`, `presence_penalty` and `frequency_penalty` cross between Chat and Gemini, whose
// generationConfig has `seed`, `presencePenalty` and `frequencyPenalty` — where the model takes
// them: OpenAI's reasoning models refuse a penalty as they refuse temperature ("Unsupported
// parameter"), and Gemini from 2.5 on refuses any ("Penalty is not enabled for models/…"). What
// a target cannot take is named in the `translation drops fields` debug line.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { genaiClient, openaiClient, startRecordedTranslation } from '../helpers/translation-rig.js';
import type { RecordingUpstream } from '../helpers/recording-upstream.js';

interface LogLine { msg: string; request_id?: string; to?: string; fields?: string[] }

describe('translation: seed and penalties between Chat and Gemini', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let close: () => Promise<void>;
  before(async () => {
    ({ up, gw, close } = await startRecordedTranslation([
      '{ match: "gemini-*", provider: up-gemini }',
      '{ match: "gpt-*", provider: up-chat }',
      '{ match: "o3*", provider: up-chat }',
      '{ match: "resp-*", provider: up-responses }',
      '{ match: "claude-*", provider: up-anthropic }',
    ]));
  });
  after(async () => { await close(); });

  const last = (): Record<string, unknown> => up.requests[up.requests.length - 1]!.body!;
  const drops = (): LogLine | undefined => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields').pop();
  const chat = (model: string) => openaiClient(gw.url).chat.completions.create({
    model, messages: [{ role: 'user', content: 'hi' }], seed: 42, presence_penalty: 0.5, frequency_penalty: -0.25,
  });
  const gemini = (model: string) => genaiClient(gw.url).models.generateContent({
    model, contents: 'hi', config: { seed: 42, presencePenalty: 0.5, frequencyPenalty: -0.25 },
  });

  it('Chat → Gemini 2.0: generationConfig seed, presencePenalty, frequencyPenalty', async () => {
    await chat('gemini-2.0-flash');
    expect(last()['generationConfig']).to.deep.include({ seed: 42, presencePenalty: 0.5, frequencyPenalty: -0.25 });
    expect(drops()?.fields ?? []).not.to.include.members(['seed']);
  });

  it('Chat → Gemini 2.5: the seed only; the penalties, which it refuses, are named', async () => {
    await chat('gemini-2.5-flash');
    const g = last()['generationConfig'] as Record<string, unknown>;
    expect(g['seed']).to.equal(42);
    expect(g).not.to.have.any.keys('presencePenalty', 'frequencyPenalty');
    expect(drops()).to.deep.include({ to: 'gemini.generate', fields: ['presence_penalty', 'frequency_penalty'] });
  });

  it('Chat → Gemini: a seed outside int32 (Gemini\'s type for it) is not sent, and named', async () => {
    await openaiClient(gw.url).chat.completions.create({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }], seed: 2 ** 40 });
    expect(last()['generationConfig'] ?? {}).not.to.have.property('seed');
    expect(drops()).to.deep.include({ to: 'gemini.generate', fields: ['seed'] });
  });

  it('Gemini → Chat (gpt-4o): seed, presence_penalty, frequency_penalty', async () => {
    await gemini('gpt-4o');
    expect(last()).to.deep.include({ seed: 42, presence_penalty: 0.5, frequency_penalty: -0.25 });
  });

  it('Gemini → Chat reasoning model (o3): the seed; the penalties it refuses are named', async () => {
    await gemini('o3');
    expect(last()['seed']).to.equal(42);
    expect(last()).not.to.have.any.keys('presence_penalty', 'frequency_penalty');
    expect(drops()).to.deep.include({ to: 'openai.chat', fields: ['generationConfig.presencePenalty', 'generationConfig.frequencyPenalty'] });
  });

  it('towards Responses and Anthropic, which have none of them: all three named', async () => {
    await gemini('resp-gpt-4o');
    expect(drops()).to.deep.include({ to: 'openai.responses', fields: ['generationConfig.seed', 'generationConfig.presencePenalty', 'generationConfig.frequencyPenalty'] });
    await chat('claude-sonnet-4-5');
    expect(drops()).to.deep.include({ to: 'anthropic.messages', fields: ['seed', 'presence_penalty', 'frequency_penalty'] });
  });
});
