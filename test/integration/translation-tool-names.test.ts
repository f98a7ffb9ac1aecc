// Tool names each provider accepts differ: Anthropic takes [a-zA-Z0-9_-] up to 128 characters,
// OpenAI the same up to 64, Gemini a letter or underscore first, then also `.` and `:`, up to 64.
// Claude Code sends MCP tool names longer than 64 (`mcp__<server>__<tool>`); MCP servers name tools
// `server.tool`. A name the upstream would refuse is mapped, deterministically, on the way up (the
// tool list, the forced choice and the calls in the history), and back on the way down, so the
// client only ever sees its own names. The official SDKs are the clients.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RawRecordedRequest, type RecordingUpstream } from '../helpers/recording-upstream.js';

const LONG = 'mcp__github_enterprise_server__list_pull_request_review_comments_for_repository'; // 80 characters
const DOTTED = 'github.list_issues';
const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ANTHROPIC_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** The Chat upstream answers with a call to the first tool it was offered, under the name it was given. */
function chatToolCall(req: RawRecordedRequest, res: import('node:http').ServerResponse): void {
  const name = String(((req.body?.['tools'] as { function: { name: string } }[])[0])!.function.name);
  const call = { id: 'call_1', type: 'function', function: { name, arguments: '{"q":"x"}' } };
  if (req.body?.['stream'] !== true) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 'c', object: 'chat.completion', created: 1, model: 'gpt-x',
      choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    }));
    return;
  }
  const chunk = (delta: object, finish: string | null = null) => sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] });
  res.writeHead(200, { 'content-type': 'text/event-stream' }).end(
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...call }] }) + chunk({}, 'tool_calls')
    + sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }) + 'data: [DONE]\n\n',
  );
}

/** The Anthropic upstream answers with a tool_use of the first tool it was offered. */
function anthropicToolUse(req: RawRecordedRequest, res: import('node:http').ServerResponse): void {
  const name = String(((req.body?.['tools'] as { name: string }[])[0])!.name);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
    id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', stop_reason: 'tool_use', stop_sequence: null,
    content: [{ type: 'tool_use', id: 'toolu_1', name, input: { q: 'x' } }], usage: { input_tokens: 5, output_tokens: 5 },
  }));
}

describe('translation: tool names an upstream would refuse', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let anthropic: Anthropic;
  let genai: GoogleGenAI;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: `  oa: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }\n  an: { type: anthropic, base_url: "${up.origin}", api_key: k }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: oa }
        - { match: "claude-*", provider: an }
      default: local
  - use: translator`,
    }));
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    genai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); await up.close(); });
  beforeEach(() => { up.requests.length = 0; up.handle(); });

  const tools: Anthropic.Tool[] = [
    { name: LONG, description: 'long', input_schema: { type: 'object', properties: { q: { type: 'string' } } } },
    { name: 'Bash', description: 'short', input_schema: { type: 'object', properties: { q: { type: 'string' } } } },
  ];

  for (const stream of [false, true]) {
    it(`an Anthropic client's 80-character tool name reaches a Chat upstream as a valid name and comes back as its own (${stream ? 'stream' : 'JSON'})`, async () => {
      up.handle(chatToolCall);
      const params = { model: 'gpt-x', max_tokens: 100, tools, tool_choice: { type: 'tool' as const, name: LONG }, messages: [{ role: 'user' as const, content: 'go' }] };
      const first = stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
      const sent = up.requests[0]!.body!;
      const sentNames = (sent['tools'] as { function: { name: string } }[]).map((t) => t.function.name);
      for (const n of sentNames) expect(n).to.match(OPENAI_NAME);
      expect(sentNames[1]).to.equal('Bash');
      expect(sent['tool_choice']).to.deep.equal({ type: 'function', function: { name: sentNames[0] } });
      const use = first.content.find((b) => b.type === 'tool_use');
      expect(use).to.include({ type: 'tool_use', name: LONG });

      // The next turn carries the call in its history: mapped the same way, so it pairs with the tool list.
      await anthropic.messages.create({
        model: 'gpt-x', max_tokens: 100, tools,
        messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: (use as Anthropic.ToolUseBlock).id, content: 'done' }] }],
      });
      const history = up.requests[1]!.body!['messages'] as { tool_calls?: { function: { name: string } }[] }[];
      expect(history.find((m) => m.tool_calls)!.tool_calls![0]!.function.name).to.equal(sentNames[0]);
    });
  }

  it("a Gemini client's dotted tool name reaches Anthropic as a valid name and comes back as its own", async () => {
    up.handle(anthropicToolUse);
    const res = await genai.models.generateContent({
      model: 'claude-x', contents: 'go',
      config: { tools: [{ functionDeclarations: [{ name: DOTTED, parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } }] }] },
    });
    const sent = (up.requests[0]!.body!['tools'] as { name: string }[])[0]!.name;
    expect(sent).to.match(ANTHROPIC_NAME);
    expect(res.functionCalls?.[0]?.name).to.equal(DOTTED);
  });

  it('names that already fit go as they are', async () => {
    up.handle(chatToolCall);
    await anthropic.messages.create({ model: 'gpt-x', max_tokens: 100, tools: [tools[1]!], messages: [{ role: 'user', content: 'go' }] });
    expect((up.requests[0]!.body!['tools'] as { function: { name: string } }[])[0]!.function.name).to.equal('Bash');
  });
});
