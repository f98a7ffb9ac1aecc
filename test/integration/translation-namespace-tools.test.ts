// Codex groups some tools in a Responses `namespace` tool (its sub-agent tools: `multi_agent_v1`
// holding spawn_agent, send_input…; MCP servers likewise). Other protocols have no namespaces, so
// the translator offers each inner tool under the flat name `<namespace>__<tool>` and answers the
// Responses client with `name` and `namespace` apart, as OpenAI does; a replayed call naming its
// namespace goes back up under the flat name. Judged with the OpenAI SDK through gateway A to
// gateway B's loopback over each other upstream protocol.
import { expect } from 'chai';
import type OpenAI from 'openai';
import { modelFor, openaiClient, startRig, type Rig } from '../helpers/translation-rig.js';

const TOOLS = [
  { type: 'function', name: 'exec_command', description: 'Run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] }, strict: false },
  {
    type: 'namespace', name: 'multi_agent_v1', description: 'Tools for spawning and managing sub-agents.',
    tools: [{ type: 'function', name: 'spawn_agent', description: 'Spawn a sub-agent', parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }, strict: false }],
  },
] as unknown as OpenAI.Responses.Tool[];
const PROMPT = 'delegate it [[tool:multi_agent_v1__spawn_agent {"message":"fix the bug"}]]';

describe('translation: Responses namespace tools reach every provider', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(async () => { await rig.close(); });

  for (const protocol of ['anthropic.messages', 'gemini.generate', 'openai.chat'] as const) {
    for (const stream of [false, true]) {
      it(`${protocol}${stream ? ', streamed' : ''}: the call comes back named inside its namespace, and its replay goes back up`, async () => {
        const client = openaiClient(rig.a.url);
        const model = modelFor(protocol);
        const first = stream
          ? await client.responses.stream({ model, input: PROMPT, tools: TOOLS }).finalResponse()
          : await client.responses.create({ model, input: PROMPT, tools: TOOLS });
        const call = first.output.find((i) => i.type === 'function_call') as (OpenAI.Responses.ResponseFunctionToolCall & { namespace?: string }) | undefined;
        expect(call, JSON.stringify(first.output)).to.not.equal(undefined);
        expect({ name: call!.name, namespace: call!.namespace }).to.deep.equal({ name: 'spawn_agent', namespace: 'multi_agent_v1' });
        expect(JSON.parse(call!.arguments)).to.deep.equal({ message: 'fix the bug' });

        const next = await client.responses.create({
          model, tools: TOOLS,
          input: [
            { role: 'user', content: PROMPT },
            { type: 'function_call', call_id: call!.call_id, name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: call!.arguments } as OpenAI.Responses.ResponseInputItem,
            { type: 'function_call_output', call_id: call!.call_id, output: 'agent-7 started' },
          ],
        });
        expect(next.output_text).to.equal('Tool multi_agent_v1__spawn_agent returned: agent-7 started');
      });
    }
  }
});
