// Output scanning holds a little text back at the end of each channel. Signed reasoning must come out
// as without scanning: the held text before the next part of another kind (never after a call), and
// each signature on the part whose text it covers — the SDKs send the turn back and the provider
// checks the signature (QA: Gemini thinking with tools got "Thought signature is not valid").
import { GoogleGenAI, type Part } from '@google/genai';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { modelFor, startFirewallRig, type FirewallRig } from './firewall-rig.js';

const PROMPT = '[[think]] list the files in this directory please [[tool:run {"cmd":"ls"}]]';
/** Loopback answered directly, and through a provider of each family that signs reasoning (translated for the client). */
const MODELS = ['loopback', modelFor('gemini.generate'), modelFor('anthropic.messages'), modelFor('openai.responses')];

function shapeOf(parts: Part[]): string {
  return parts.map((p) => (p.functionCall ? 'call' : p.thought ? 'thought' : 'text') + (p.thoughtSignature ? '(signed)' : '')).join(' ');
}

describe('output scanning keeps signed reasoning as the provider sent it (SDKs as judges)', () => {
  let rig: FirewallRig;
  let gw: TestGateway;
  before(async () => {
    rig = await startFirewallRig();
    gw = await rig.gateway('{ mode: monitor, output: { mode: monitor } }');
  });
  after(() => rig.close());

  for (const model of MODELS) {
    it(`gemini.generate from ${model}: thought parts before the call, signatures on their own text, the next turn accepted`, async function () {
      this.timeout(20_000);
      const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
      const config = { tools: [{ functionDeclarations: [{ name: 'run' }] }], thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } };
      const contents = [{ role: 'user', parts: [{ text: PROMPT }] }];
      const parts: Part[] = [];
      for await (const chunk of await ai.models.generateContentStream({ model, contents, config })) parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
      const shape = shapeOf(parts);
      // Reasoning of another family also rides on the first call's signature (where Google signs, and
      // what Gemini CLI keeps: it drops thought parts from its history).
      expect(shape, shape).to.match(/^(thought )*thought\(signed\) (thought )*call(\(signed\))?$|^(thought )+call(\(signed\))?$/);
      const reply = await ai.models.generateContent({ model, config, contents: [...contents, { role: 'model', parts }, { role: 'user', parts: [{ functionResponse: { name: 'run', response: { output: 'a.txt' } } }] }] });
      expect(reply.candidates?.[0]?.content?.parts?.length).to.be.greaterThan(0);
    });

    it(`anthropic.messages from ${model}: the thinking's held text before its signature_delta, the next turn accepted`, async function () {
      this.timeout(20_000);
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const tools = [{ name: 'run', input_schema: { type: 'object' as const } }];
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: PROMPT }];
      const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
      const stream = client.messages.stream({ model, max_tokens: 3000, thinking, tools, messages });
      const deltas: string[] = [];
      for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.index === 0) deltas.push(ev.delta.type);
      // Whether it is signed depends on the provider's family; when it is, the signature is the block's last delta.
      if (deltas.includes('signature_delta')) expect(deltas.at(-1), deltas.join(' ')).to.equal('signature_delta');
      const message = await stream.finalMessage();
      const call = message.content.find((b) => b.type === 'tool_use')!;
      await client.messages.create({ model, max_tokens: 3000, thinking, tools, messages: [...messages, { role: 'assistant', content: message.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'a.txt' }] }] });
    });

    it(`openai.responses from ${model}: reasoning then call, the next turn accepted`, async function () {
      this.timeout(20_000);
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const tools = [{ type: 'function' as const, name: 'run', parameters: { type: 'object' }, strict: false }];
      const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: PROMPT }];
      const stream = client.responses.stream({ model, tools, input, reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
      const response = await stream.finalResponse();
      expect(response.output.map((o) => o.type)).to.deep.equal(['reasoning', 'function_call']);
      const call = response.output.find((o) => o.type === 'function_call')!;
      await client.responses.create({ model, tools, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'], store: false, input: [...input, ...(response.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'a.txt' }] });
    });
  }
});
