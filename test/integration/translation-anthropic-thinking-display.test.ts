// Claude Opus 4.7 and the Claude 5 models return thinking blocks with empty text unless asked
// (`thinking.display` defaults to "omitted" there): a client that asked to see reasoning — Gemini
// `includeThoughts: true`, a Responses `reasoning.summary` (Codex sends "auto") — gets
// `display: "summarized"` sent for it, and one that said no gets "omitted".
import { expect } from 'chai';
import { genaiClient, openaiClient, startRecordedTranslation } from '../helpers/translation-rig.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { RecordingUpstream } from '../helpers/recording-upstream.js';

interface LogLine { msg: string; to?: string; fields?: string[] }

describe('translation: thinking.display towards Claude models that omit thinking by default', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let close: () => Promise<void>;
  before(async () => {
    ({ up, gw, close } = await startRecordedTranslation(['{ match: "claude-*", provider: up-anthropic }']));
  });
  after(async () => { await close(); });

  const thinking = (): unknown => up.requests[up.requests.length - 1]!.body!['thinking'];
  const drops = (): string[] => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields').pop()?.fields ?? [];

  it('Gemini includeThoughts true → claude-opus-5: adaptive thinking, display summarized', async () => {
    await genaiClient(gw.url).models.generateContent({ model: 'claude-opus-5', contents: 'hi', config: { thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' as never } } });
    expect(thinking()).to.deep.equal({ type: 'adaptive', display: 'summarized' });
    expect(drops()).not.to.include('generationConfig.thinkingConfig.includeThoughts');
  });

  it('Responses reasoning.summary auto (Codex) → claude-opus-4-7: display summarized', async () => {
    await openaiClient(gw.url).responses.create({ model: 'claude-opus-4-7', input: 'hi', reasoning: { effort: 'high', summary: 'auto' } });
    expect(thinking()).to.deep.equal({ type: 'adaptive', display: 'summarized' });
  });

  it('Gemini includeThoughts false → claude-sonnet-5: display omitted', async () => {
    await genaiClient(gw.url).models.generateContent({ model: 'claude-sonnet-5', contents: 'hi', config: { thinkingConfig: { includeThoughts: false, thinkingLevel: 'LOW' as never } } });
    expect(thinking()).to.deep.equal({ type: 'adaptive', display: 'omitted' });
  });

  it('an older Claude (budget thinking, summarized by default) gets no display field', async () => {
    await genaiClient(gw.url).models.generateContent({ model: 'claude-sonnet-4-5', contents: 'hi', config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } });
    expect(thinking()).to.deep.equal({ type: 'enabled', budget_tokens: 2048 });
  });
});
