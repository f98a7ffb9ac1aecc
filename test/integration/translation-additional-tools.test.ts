// Codex's newest default models (gpt-6.x, Codex 0.169+) send no top-level `tools`: every tool
// arrives in an `additional_tools` input item, `{type: additional_tools, role: developer, tools: […]}`,
// whose list holds function and custom tools, `namespace` tools grouping more of them, and hosted
// tools. Routed to another protocol those tools must still be offered (namespaced ones under the
// flat `<namespace>__<tool>`), the calls must come back as OpenAI sends them, and loopback behind
// a passthrough route must read them too. Judged with the OpenAI SDK through gateway A to gateway
// B's loopback over every upstream protocol, with a replayed Codex request (its shape as Codex
// 0.171 sends it).
import { expect } from 'chai';
import type OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { GENERATE, modelFor, openaiClient, startRig, upstreamProviders, type Rig } from '../helpers/translation-rig.js';

type Input = OpenAI.Responses.ResponseInputItem;
const OBJECT = (props: Record<string, unknown>, required: string[]) => ({ type: 'object', properties: props, required, additionalProperties: false });

/** The tools item as Codex sends it: first in `input`, ahead of the developer messages. */
const ADDITIONAL_TOOLS = {
  type: 'additional_tools', role: 'developer',
  tools: [
    {
      type: 'namespace', name: 'functions', description: 'Code Mode tools',
      tools: [
        { type: 'custom', name: 'exec', description: 'Run JavaScript calling tools.exec_command(…)', format: { type: 'text' } },
        { type: 'function', name: 'exec_command', description: 'Run a command', parameters: OBJECT({ cmd: { type: 'string' } }, ['cmd']), strict: false },
      ],
    },
    { type: 'function', name: 'view_image', description: 'Look at an image', parameters: OBJECT({ path: { type: 'string' } }, ['path']), strict: false },
    { type: 'namespace', name: 'clock', description: 'Time', tools: [{ type: 'function', name: 'now', description: 'The time', parameters: OBJECT({}, []), strict: false }] },
    { type: 'web_search', external_web_access: false },
  ],
} as unknown as Input;

function codexRequest(input: Input[], model: string): OpenAI.Responses.ResponseCreateParamsNonStreaming {
  return {
    model, instructions: 'You are Codex.', tools: [], tool_choice: 'auto', parallel_tool_calls: true, store: false,
    input: [ADDITIONAL_TOOLS, { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions instructions>' }] }, ...input],
  };
}

type Call = { type: string; name: string; namespace?: string; call_id: string; arguments?: string; input?: string };

describe('translation: Codex tools sent as an additional_tools input item', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(async () => { await rig.close(); });

  for (const protocol of GENERATE) {
    for (const stream of [false, true]) {
      const label = `${protocol}${protocol === 'openai.responses' ? ' (passthrough to loopback)' : ''}${stream ? ', streamed' : ''}`;
      const send = async (body: OpenAI.Responses.ResponseCreateParamsNonStreaming) => {
        const client = openaiClient(rig.a.url);
        return stream
          ? client.responses.stream(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming).finalResponse()
          : client.responses.create(body);
      };

      it(`${label}: a namespaced function tool is called as OpenAI calls it, and its result goes back`, async () => {
        const model = modelFor(protocol);
        const prompt: Input = { role: 'user', content: 'list it [[tool:functions__exec_command {"cmd":"ls"}]]' };
        const first = await send(codexRequest([prompt], model));
        const call = first.output.find((o) => o.type === 'function_call') as Call | undefined;
        expect(call, JSON.stringify(first.output)).to.not.equal(undefined);
        expect({ name: call!.name, namespace: call!.namespace }).to.deep.equal({ name: 'exec_command', namespace: 'functions' });
        expect(JSON.parse(call!.arguments!)).to.deep.equal({ cmd: 'ls' });

        const next = await send(codexRequest([
          prompt,
          { type: 'function_call', call_id: call!.call_id, name: 'exec_command', namespace: 'functions', arguments: call!.arguments } as Input,
          { type: 'function_call_output', call_id: call!.call_id, output: 'a.txt' },
        ], model));
        // Loopback names the tool as the call it reads does: flat after translation, bare natively.
        expect(next.output_text).to.equal(`Tool ${protocol === 'openai.responses' ? 'exec_command' : 'functions__exec_command'} returned: a.txt`);
      });

      it(`${label}: a plain function tool and a namespaced freeform tool are offered too`, async () => {
        const model = modelFor(protocol);
        const plain = await send(codexRequest([{ role: 'user', content: 'look [[tool:view_image {"path":"a.png"}]]' }], model));
        const call = plain.output.find((o) => o.type === 'function_call') as Call | undefined;
        expect(call, JSON.stringify(plain.output)).to.not.equal(undefined);
        expect({ name: call!.name, namespace: call!.namespace }).to.deep.equal({ name: 'view_image', namespace: undefined });

        const free = await send(codexRequest([{ role: 'user', content: 'run [[tool:functions__exec {"input":"await tools.exec_command({cmd: \\"ls\\"})"}]]' }], model));
        const custom = free.output.find((o) => o.type === 'custom_tool_call') as Call | undefined;
        expect(custom, JSON.stringify(free.output)).to.not.equal(undefined);
        expect({ name: custom!.name, namespace: custom!.namespace, input: custom!.input })
          .to.deep.equal({ name: 'exec', namespace: 'functions', input: 'await tools.exec_command({cmd: "ls"})' });
      });
    }
  }
});

describe('translation: an additional_tools item on the wire', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(up.origin),
      chain: [
        '  - use: router\n    with:\n      routes:',
        '        - { match: gpt-6.2-sol, provider: up-responses }',
        '        - { match: claude-sonnet-4-5, provider: up-anthropic }',
        '        - { match: gemini-2.5-pro, provider: up-gemini }',
        '        - { match: deepseek-chat, provider: up-chat }',
        '  - use: translator',
      ].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const post = (model: string) => {
    const raw = JSON.stringify({ ...codexRequest([{ role: 'user', content: 'hi' }], model), stream: true });
    return { raw, done: fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: raw }).then((r) => r.text()) };
  };

  it('goes to an OpenAI Responses upstream byte for byte', async () => {
    const { raw, done } = post('gpt-6.2-sol');
    await done;
    expect(up.requests.at(-1)!.raw.toString('utf8')).to.equal(raw);
  });

  it('reaches Anthropic as tools (namespaced ones flat, freeform as one string input), hosted ones left out', async () => {
    await post('claude-sonnet-4-5').done;
    const body = up.requests.at(-1)!.body!;
    const tools = body['tools'] as { name: string; input_schema: unknown }[];
    expect(tools.map((t) => t.name)).to.deep.equal(['functions__exec', 'functions__exec_command', 'view_image', 'clock__now']);
    expect(tools[1]!.input_schema).to.deep.include({ properties: { cmd: { type: 'string' } }, required: ['cmd'] });
    expect(JSON.stringify(body['messages'])).to.not.include('additional_tools');
  });

  it('reaches Gemini as functionDeclarations', async () => {
    await post('gemini-2.5-pro').done;
    const body = up.requests.at(-1)!.body!;
    const names = (body['tools'] as { functionDeclarations?: { name: string }[] }[]).flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name);
    expect(names).to.deep.equal(['functions__exec', 'functions__exec_command', 'view_image', 'clock__now']);
  });

  // tool_choice names a tool as the client declared it: `exec_command`, inside the `functions`
  // namespace; the target knows it only as `functions__exec_command`.
  const forced = (model: string, toolChoice: OpenAI.Responses.ResponseCreateParams['tool_choice']) =>
    openaiClient(gw.url).responses.create({ ...codexRequest([{ role: 'user', content: 'run ls' }], model), tool_choice: toolChoice });

  it('reaches Anthropic, Gemini and a Chat server under the flat name (additional_tools and top-level tools), and the response echoes the client\'s form', async () => {
    const res = await forced('claude-sonnet-4-5', { type: 'function', name: 'exec_command' });
    expect(up.requests.at(-1)!.body!['tool_choice']).to.deep.equal({ type: 'tool', name: 'functions__exec_command' });
    expect(res.tool_choice).to.deep.equal({ type: 'function', name: 'exec_command' });

    await forced('gemini-2.5-pro', { type: 'custom', name: 'exec' });
    expect(up.requests.at(-1)!.body!['toolConfig']).to.deep.equal({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['functions__exec'] } });

    // The same namespace in the top-level `tools`, as the Responses API has always taken it.
    const body = { ...codexRequest([{ role: 'user', content: 'what time?' }], 'deepseek-chat'), tools: [(ADDITIONAL_TOOLS as unknown as { tools: OpenAI.Responses.Tool[] }).tools[2]!], tool_choice: { type: 'function', name: 'now' } } as OpenAI.Responses.ResponseCreateParamsNonStreaming;
    body.input = body.input!.slice(1) as Input[];
    await openaiClient(gw.url).responses.create(body);
    expect(up.requests.at(-1)!.body!['tool_choice']).to.deep.equal({ type: 'function', function: { name: 'clock__now' } });
  });
});

