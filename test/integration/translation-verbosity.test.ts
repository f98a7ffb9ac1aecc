// OpenAI's answer-length control is `verbosity` in Chat and `text.verbosity` in Responses (Codex
// sends it on every turn): it crosses between the two where the model takes it — the gpt-5
// family, or a model that is not OpenAI's — and is left out for OpenAI's older models, which
// refuse any value but medium; Anthropic and Gemini have none, and the drops line names it.
import { expect } from 'chai';
import { openaiClient, startRecordedTranslation } from '../helpers/translation-rig.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { RecordingUpstream } from '../helpers/recording-upstream.js';

interface LogLine { msg: string; to?: string; fields?: string[] }

describe('translation: verbosity between Chat and Responses', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let close: () => Promise<void>;
  before(async () => {
    ({ up, gw, close } = await startRecordedTranslation([
      '{ match: chat-gpt-5, provider: up-chat, model: gpt-5 }',
      '{ match: chat-gpt-4.1, provider: up-chat, model: gpt-4.1 }',
      '{ match: resp-gpt-5.2, provider: up-responses, model: gpt-5.2 }',
      '{ match: "claude-*", provider: up-anthropic }',
    ]));
  });
  after(async () => { await close(); });

  const last = (): Record<string, unknown> => up.requests[up.requests.length - 1]!.body!;
  const drops = (): LogLine | undefined => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields').pop();
  const responses = (model: string) => openaiClient(gw.url).responses.create({ model, input: 'hi', text: { verbosity: 'low' } });
  const chat = (model: string) => openaiClient(gw.url).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], verbosity: 'high' });

  it('Responses text.verbosity → Chat verbosity (gpt-5)', async () => {
    await responses('chat-gpt-5');
    expect(last()['verbosity']).to.equal('low');
  });

  it('Chat verbosity → Responses text.verbosity (gpt-5.2)', async () => {
    await chat('resp-gpt-5.2');
    expect(last()['text']).to.deep.include({ verbosity: 'high' });
  });

  it('not sent to OpenAI\'s older models (gpt-4.1 takes only medium), and named', async () => {
    await responses('chat-gpt-4.1');
    expect(last()).not.to.have.property('verbosity');
    expect(drops()).to.deep.include({ to: 'openai.chat' });
    expect(drops()!.fields).to.include('text.verbosity');
  });

  it('towards Anthropic: named', async () => {
    await chat('claude-sonnet-4-5');
    expect(drops()!.fields).to.include('verbosity');
  });
});
