// A forced tool choice (Chat `required` / a named function, Responses' equivalents, Gemini `ANY`)
// towards a Claude model that would think: Anthropic refuses the pair ("Thinking may not be
// enabled when tool_choice forces tool use"), and Claude 5 models think unless told not to. The
// forced call is what the client asked for, so it is sent without thinking (named in the drops
// debug line); on the models that cannot stop thinking (Opus 5.5, Fable 5.1), which refuse any
// forced tool, the tool is offered with `auto` and `tool_choice` is what the line names. The mock
// enforces Anthropic's rules as its docs state them and answers with the call.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { genaiClient, openaiClient } from '../helpers/translation-rig.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

interface LogLine { msg: string; request_id?: string; to?: string; fields?: string[] }
type Body = Record<string, unknown>;

/** Claude 5 models that think when `thinking` is absent (Opus 5: "thinking on by default"). */
const THINKS_BY_DEFAULT = /^claude-(?:opus|sonnet|haiku|fable|mythos)-5/;
/** Opus 5.5 and Fable 5.1: thinking cannot be disabled and forced tool use is refused. */
const ALWAYS_THINKS = /^claude-(?:opus-5-5|fable-5)/;
const EFFORT_RANK = ['low', 'medium', 'high', 'xhigh', 'max'];

/** What Anthropic answers the request with: its 400, or undefined when it takes it. */
function anthropicRefusal(body: Body): string | undefined {
  const model = String(body['model']);
  const type = (body['thinking'] as { type?: string } | undefined)?.type;
  const forced = ['any', 'tool'].includes(String((body['tool_choice'] as { type?: string } | undefined)?.type));
  const effort = (body['output_config'] as { effort?: string } | undefined)?.effort;
  if (ALWAYS_THINKS.test(model)) {
    if (type === 'disabled' || type === 'enabled') return `"thinking.type.${type}" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`;
    if (forced) return 'tool_choice forcing tool use is not supported for this model.';
    return undefined;
  }
  if (type === 'disabled' && effort !== undefined && EFFORT_RANK.indexOf(effort) > EFFORT_RANK.indexOf('high')) return 'thinking cannot be disabled at this effort.';
  const thinking = type === 'enabled' || type === 'adaptive' || (type === undefined && THINKS_BY_DEFAULT.test(model));
  if (thinking && forced) return 'Thinking may not be enabled when tool_choice forces tool use.';
  return undefined;
}

describe('translation: a forced tool towards a Claude model that thinks', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startRecordingUpstream();
    up.handle((req, res) => {
      const refusal = anthropicRefusal(req.body!);
      if (refusal) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: refusal } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'msg_f', type: 'message', role: 'assistant', model: req.body!['model'], stop_reason: 'tool_use', stop_sequence: null,
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { city: 'Paris' } }], usage: { input_tokens: 5, output_tokens: 3 },
      }));
    });
    gw = await startGateway(config({
      providers: `  up-anthropic: { type: anthropic, base_url: "${up.origin}", api_key: k }`,
      chain: '  - use: router\n    with: { default: up-anthropic }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const sent = (): Body => up.requests[up.requests.length - 1]!.body!;
  const drops = (): string[] => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields').pop()?.fields ?? [];
  const chat = (model: string, extra: Body) => openaiClient(gw.url).chat.completions.create({
    model, messages: [{ role: 'user', content: 'weather in Paris?' }], max_completion_tokens: 4000,
    tools: [{ type: 'function', function: { name: 'lookup', parameters } }], ...extra,
  });

  for (const model of ['claude-sonnet-4-5', 'claude-opus-4-7', 'claude-opus-5']) {
    it(`${model}: Chat tool_choice "required" with reasoning_effort high → the call, without thinking, named`, async () => {
      const r = await chat(model, { tool_choice: 'required', reasoning_effort: 'high' });
      expect(r.choices[0]!.message.tool_calls?.[0]).to.deep.include({ type: 'function' });
      expect(sent()['tool_choice']).to.deep.equal({ type: 'any' });
      expect(drops()).to.include('reasoning_effort');
    });
  }

  it('claude-opus-5 (thinks by default): a forced tool with no reasoning asked → thinking disabled', async () => {
    const r = await chat('claude-opus-5', { tool_choice: { type: 'function', function: { name: 'lookup' } } });
    expect(r.choices[0]!.finish_reason).to.equal('tool_calls');
    expect(sent()['thinking']).to.deep.equal({ type: 'disabled' });
    expect(sent()['tool_choice']).to.deep.equal({ type: 'tool', name: 'lookup' });
  });

  it('claude-opus-5 at effort xhigh: disabled thinking goes with effort high, the most Anthropic takes with it', async () => {
    await chat('claude-opus-5', { tool_choice: 'required', reasoning_effort: 'xhigh' as never });
    expect(sent()).to.deep.include({ thinking: { type: 'disabled' }, output_config: { effort: 'high' } });
  });

  it('claude-opus-5-5 (cannot stop thinking, refuses forced tools): tool_choice auto, named', async () => {
    const r = await chat('claude-opus-5-5', { tool_choice: 'required', reasoning_effort: 'high' });
    expect(r.choices[0]!.finish_reason).to.equal('tool_calls');
    expect(sent()['tool_choice']).to.deep.equal({ type: 'auto' });
    expect(drops()).to.include('tool_choice');
  });

  it('Responses: a named function forced with reasoning → the call', async () => {
    const r = await openaiClient(gw.url).responses.create({
      model: 'claude-opus-5', input: 'weather in Paris?', reasoning: { effort: 'medium' },
      tools: [{ type: 'function', name: 'lookup', parameters, strict: false }], tool_choice: { type: 'function', name: 'lookup' },
    });
    expect(r.output.find((o) => o.type === 'function_call')).to.deep.include({ name: 'lookup' });
  });

  it('Gemini: functionCallingConfig ANY with a thinking budget → the call', async () => {
    const r = await genaiClient(gw.url).models.generateContent({
      model: 'claude-sonnet-4-5', contents: 'weather in Paris?',
      config: { tools: [{ functionDeclarations: [{ name: 'lookup', parametersJsonSchema: parameters }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' as never } }, thinkingConfig: { thinkingBudget: 2048 } },
    });
    expect(r.functionCalls?.[0]?.name).to.equal('lookup');
    expect(drops()).to.include('generationConfig.thinkingConfig');
  });
});
