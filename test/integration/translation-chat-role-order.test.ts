// Mistral's API (and vLLM or any server with Mistral's tokenizer) refuses a user or system message
// right after a tool message ("Unexpected role 'user' after role 'tool'"), a system message after
// an assistant one, and call ids other than nine letters and digits. Claude Code's user turn holds
// tool results plus text (its <system-reminder>s) and it sends a system message mid-conversation;
// Codex sends developer notes anywhere. Translated to Chat for such a server, the user's text joins
// the last tool message and system text the leading system message. OpenAI's own models keep the
// messages where they are: OpenAI accepts both orders and its models read a tool's output as less
// trusted than the user's words. The official SDKs are the clients; the mock enforces Mistral's
// rules and records what it got.
import { expect } from 'chai';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

type ChatMessage = { role: string; content?: unknown; tool_call_id?: string; tool_calls?: { id: string }[] };

describe('Chat providers that take no user or system message after a tool message', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const messages = (req.body?.['messages'] ?? []) as ChatMessage[];
      // Mistral's other rule: call ids of nine letters and digits ("Tool call id was toolu_1 but must
      // be a-z, A-Z, 0-9, with a length of 9.").
      const ids = messages.flatMap((m) => [...(m.tool_calls ?? []).map((c) => c.id), ...(m.tool_call_id === undefined ? [] : [m.tool_call_id])]);
      const badId = String(req.body?.['model']).startsWith('mistral') ? ids.find((id) => !/^[a-zA-Z0-9]{9}$/.test(id)) : undefined;
      if (badId !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ object: 'error', message: `Tool call id was ${badId} but must be a-z, A-Z, 0-9, with a length of 9.`, type: 'invalid_function_call', param: null, code: '3280' }));
        return;
      }
      for (let i = 1; i < messages.length; i++) {
        const [before, role] = [messages[i - 1]!.role, messages[i]!.role];
        // Mistral's validator: after a tool message only an assistant or tool one; after an assistant
        // one no system message (templates such as Qwen's and Gemma's refuse any system message past
        // the first).
        const refused = (before === 'tool' && role !== 'tool' && role !== 'assistant') || (before === 'assistant' && role === 'system');
        if (refused && String(req.body?.['model']).startsWith('mistral')) {
          res.writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ object: 'error', message: `Unexpected role '${role}' after role 'tool'`, type: 'invalid_request_message_order', param: null, code: '3230' }));
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'done')));
    });
    gw = await startGateway(config({
      providers: `  compat: { type: openai, base_url: "${mock.url}", api_key: k, protocols: [openai.chat] }`,
      chain: '  - use: router\n    with: { default: compat }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });
  const sent = (): ChatMessage[] => mock.requests.at(-1)!.body!['messages'] as ChatMessage[];

  const claudeCodeTurn = (model: string): Anthropic.MessageCreateParamsNonStreaming => ({
    model, max_tokens: 1024,
    messages: [
      { role: 'user', content: 'list the files' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }, { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'pwd' } }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: '/home' },
        { type: 'text', text: '<system-reminder>\nThe TodoWrite tool has not been used.\n</system-reminder>' },
      ] },
    ],
  });

  it('Claude Code on a Mistral model: the turn\'s text becomes a paragraph of the last tool result', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const message = await anthropic.messages.create(claudeCodeTurn('mistral-large-latest'));
    expect(message.content).to.deep.equal([{ type: 'text', text: 'done' }]);
    const [call, first, second] = sent().slice(1) as [ChatMessage, ChatMessage, ChatMessage];
    expect([first, second].map((m) => m.content)).to.deep.equal(['a.txt', '/home\n\n<system-reminder>\nThe TodoWrite tool has not been used.\n</system-reminder>']);
    expect(sent()).to.have.length(4);
    // Each call id as nine letters and digits, the same for a call and its result, every turn alike.
    expect([first.tool_call_id, second.tool_call_id]).to.deep.equal(call.tool_calls!.map((c) => c.id));
    expect(first.tool_call_id).to.match(/^[a-zA-Z0-9]{9}$/).and.not.equal(second.tool_call_id);
    const again = sent();
    await anthropic.messages.create(claudeCodeTurn('mistral-large-latest'));
    expect(sent()).to.deep.equal(again);
  });

  it('Claude Code on an OpenAI model: the text stays the user\'s message after the tool messages, the ids as they were', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    await anthropic.messages.create(claudeCodeTurn('gpt-5'));
    expect(sent().slice(2).map((m) => m.role)).to.deep.equal(['tool', 'tool', 'user']);
    expect(sent().slice(2, 4).map((m) => m.tool_call_id)).to.deep.equal(['toolu_1', 'toolu_2']);
    expect(sent()[4]!.content).to.contain('<system-reminder>');
  });

  it('Codex on a Mistral model: a developer note after a function_call_output joins the leading system message', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const response = await openai.responses.create({
      model: 'mistral-large-latest',
      input: [
        { role: 'user', content: 'run the tests' },
        { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"npm test"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
        { role: 'developer', content: 'Approval mode changed: never ask.' },
      ],
    });
    expect(response.output_text).to.equal('done');
    expect(sent()[0]).to.deep.equal({ role: 'system', content: 'Approval mode changed: never ask.' });
    expect(sent().at(-1)).to.deep.include({ role: 'tool', content: 'ok' });
  });

  it('Claude Code\'s and Codex\'s mid-conversation system messages join the leading system message towards a model not OpenAI\'s', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const turn = claudeCodeTurn('mistral-large-latest');
    await anthropic.messages.create({ ...turn, system: 'You are Claude Code.', messages: [turn.messages[0]!, { role: 'system', content: '# Environment' } as never, ...turn.messages.slice(1)] });
    expect(sent()[0]).to.deep.equal({ role: 'system', content: 'You are Claude Code.\n\n# Environment' });
    expect(sent().slice(1).map((m) => m.role)).to.deep.equal(['user', 'assistant', 'tool', 'tool']);

    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    await openai.responses.create({
      model: 'mistral-large-latest',
      input: [{ role: 'developer', content: 'Be terse.' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'developer', content: 'Approval mode changed: never ask.' }, { role: 'user', content: 'go' }],
    });
    expect(sent()).to.deep.equal([
      { role: 'system', content: 'Be terse.\n\nApproval mode changed: never ask.' },
      { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'go' },
    ]);

    await openai.responses.create({ model: 'gpt-5', input: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'developer', content: 'Approval mode changed: never ask.' }, { role: 'user', content: 'go' }] });
    expect(sent().map((m) => m.role), 'OpenAI takes it where it is').to.deep.equal(['user', 'assistant', 'system', 'user']);
  });

  it('a user message that carries images after the tool messages stays one (no other place takes them)', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const turn = claudeCodeTurn('gpt-4o');
    turn.messages[2] = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'shot' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }, { type: 'tool_result', tool_use_id: 'toolu_2', content: '/home' }] };
    await anthropic.messages.create(turn);
    expect(sent().slice(2).map((m) => m.role)).to.deep.equal(['tool', 'tool', 'user']);
  });
});
