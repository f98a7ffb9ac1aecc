// IR → Responses request (Responses as the upstream): exact bodies, and round trips of recorded
// Codex requests through decode → encode.
import { expect } from 'chai';
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { fixtureBody, irRequest } from './helpers.js';

const FREEFORM_TOOL = {
  name: 'apply_patch', description: 'Edit files.', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
  freeform: { format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
};

describe('responses codec: encodeRequest', () => {
  it('encodes a full conversation exactly', () => {
    const ir: IrRequest = irRequest({
      model: 'gpt-oss-120b', // not an OpenAI reasoning model: it takes the sampling values beside an effort (openai-models.ts)
      stream: true,
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Second rule.' }],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Look' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }] },
        { role: 'assistant', parts: [
          { type: 'thinking', text: 'thinking about it', signature: 'enc-1' },
          { type: 'thinking', text: 'no signature: cannot be replayed' },
          { type: 'redacted_thinking', data: 'anthropic-only' },
          { type: 'text', text: 'Running.' },
          { type: 'tool_call', id: 'call_1', name: 'exec', arguments: '{"cmd":"ls"}' },
          { type: 'tool_call', id: 'call_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' },
        ] },
        { role: 'user', parts: [
          { type: 'tool_result', callId: 'call_1', name: 'exec', isError: true, content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
          { type: 'tool_result', callId: 'call_2', isError: false, content: [{ type: 'text', text: 'Done' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' }, detail: 'low' }] },
          { type: 'text', text: 'continue' },
        ] },
        { role: 'system', parts: [{ type: 'text', text: 'mid-conversation rule' }] },
      ],
      tools: [
        { name: 'exec', description: 'Run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
        { name: 'strict_tool', parameters: { type: 'object' }, strict: true },
        FREEFORM_TOOL,
      ],
      toolChoice: { name: 'apply_patch' },
      parallelToolCalls: true,
      maxTokens: 1000,
      temperature: 0.5,
      topP: 0.8,
      topK: 40,
      stop: ['END'],
      reasoning: { enabled: true, budgetTokens: 4096, includeThoughts: true },
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      user: 'user-7',
    });
    expect(openaiResponses.encodeRequest(ir)).to.deep.equal({
      model: 'gpt-oss-120b',
      instructions: 'You are terse.\n\nSecond rule.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking about it' }], encrypted_content: 'enc-1' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'exec', arguments: '{"cmd":"ls"}' },
        { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a\nb' },
        { type: 'custom_tool_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'Done' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'low' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'continue' }] },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'mid-conversation rule' }] },
      ],
      tools: [
        { type: 'function', name: 'exec', description: 'Run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
        { type: 'function', name: 'strict_tool', parameters: { type: 'object' }, strict: true },
        { type: 'custom', name: 'apply_patch', description: 'Edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
      ],
      tool_choice: { type: 'custom', name: 'apply_patch' },
      parallel_tool_calls: true,
      max_output_tokens: 1000,
      temperature: 0.5,
      top_p: 0.8,
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'user-7',
      store: false,
      stream: true,
    });
  });

  it('sends gpt-5.5, which reasons by default, no sampling values when no effort is given; gpt-5.4 keeps them', () => {
    const sampled = { temperature: 0.7, topP: 0.95 };
    expect(openaiResponses.encodeRequest(irRequest({ model: 'gpt-5.5', ...sampled }))).to.not.include.keys('temperature', 'top_p');
    // Reasoning turned off sends no `reasoning` (the model's default, medium on gpt-5.5): still none.
    expect(openaiResponses.encodeRequest(irRequest({ model: 'gpt-5.5', ...sampled, reasoning: { enabled: false } }))).to.not.include.keys('temperature', 'top_p');
    expect(openaiResponses.encodeRequest(irRequest({ model: 'gpt-5.4', ...sampled }))).to.include({ temperature: 0.7, top_p: 0.95 });
  });

  const SMALL: [string, Partial<IrRequest>, JsonObject][] = [
    ['minimal request', {}, { model: 'gpt-5.5', input: [], store: false, stream: false }],
    ['json_object', { responseFormat: { type: 'json_object' } }, { text: { format: { type: 'json_object' } } }],
    ['reasoning off is left to the model default', { reasoning: { enabled: false } }, {}],
    ['effort max → xhigh', { reasoning: { enabled: true, effort: 'max' } }, { reasoning: { effort: 'xhigh' }, include: ['reasoning.encrypted_content'] }],
    // gpt-5.1 and later refuse `minimal` ("Supported values are: 'none', 'low', 'medium', and 'high'").
    ['effort minimal on gpt-5.5 → low', { reasoning: { enabled: true, effort: 'minimal' } }, { reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] }],
    ['effort minimal on gpt-5 stays minimal', { model: 'gpt-5', reasoning: { enabled: true, effort: 'minimal' } }, { reasoning: { effort: 'minimal' } }],
    ['small budget → low', { reasoning: { enabled: true, budgetTokens: 1024 } }, { reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] }],
    ['large budget → high', { reasoning: { enabled: true, budgetTokens: 32000 } }, { reasoning: { effort: 'high' }, include: ['reasoning.encrypted_content'] }],
    ['tool_choice function', { tools: [{ name: 'f', parameters: {} }], toolChoice: { name: 'f' } }, { tool_choice: { type: 'function', name: 'f' } }],
    ['tool_choice string', { toolChoice: 'required' }, { tool_choice: 'required' }],
  ];
  for (const [name, over, want] of SMALL) {
    it(name, () => {
      const body = openaiResponses.encodeRequest(irRequest(over));
      for (const [k, v] of Object.entries(want)) expect(body[k], k).to.deep.equal(v);
      if (name.startsWith('reasoning off')) {
        expect(body).to.not.have.property('reasoning');
        expect(body).to.not.have.property('include');
      }
    });
  }

  it('a recorded Codex turn survives decode → encode item for item', () => {
    const original = fixtureBody('codex.responses.reasoning-custom-tool-turn.json');
    const body = openaiResponses.encodeRequest(openaiResponses.decodeRequest(original, 'gpt-5.5', true));
    expect(body['instructions']).to.equal('You are Codex.\n\n<permissions instructions>sandbox</permissions instructions>');
    expect(body['input']).to.deep.equal([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Create hello.txt' }] },
      { type: 'reasoning', summary: [{ type: 'summary_text', text: '**Planning the edit**\n\nA patch adds the file.' }], encrypted_content: 'gAAAAABpR3kZ_encrypted_reasoning_state_1==' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Adding the file.' }] },
      { type: 'custom_tool_call', call_id: 'call_patch1', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n' },
      { type: 'custom_tool_call_output', call_id: 'call_patch1', output: 'Success. Updated the following files:\nA hello.txt\n' },
      { type: 'function_call', call_id: 'call_exec1', name: 'exec_command', arguments: '{"cmd":"cat hello.txt"}' },
      { type: 'function_call_output', call_id: 'call_exec1', output: 'hi\n' },
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<model_switch>now gpt-5.5</model_switch>' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' }] },
    ]);
    expect(body['tools']).to.deep.equal((original['tools'] as JsonObject[]).slice(0, 2));
    expect(body['reasoning']).to.deep.equal({ effort: 'high', summary: 'auto' });
    expect(body['include']).to.deep.equal(['reasoning.encrypted_content']);
    expect(body['store']).to.equal(false);
    expect(body['stream']).to.equal(true);
  });

  it('the recorded Codex tool-output turn keeps its function tools and call pairing', () => {
    const original = fixtureBody('codex.responses.tool-output-turn.json');
    const body = openaiResponses.encodeRequest(openaiResponses.decodeRequest(original, 'gpt-5.5', true));
    const want = (original['tools'] as JsonObject[]).filter((t) => t['type'] === 'function' || t['type'] === 'custom');
    expect(body['tools']).to.deep.equal(want);
    const input = body['input'] as JsonObject[];
    expect(input.slice(-2)).to.deep.equal([
      { type: 'function_call', call_id: 'call_mock_mwrngf20000a', name: 'exec_command', arguments: '{"cmd":"echo hello-from-codex"}' },
      { type: 'function_call_output', call_id: 'call_mock_mwrngf20000a', output: 'Chunk ID: 269789\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 5\nOutput:\nhello-from-codex\n' },
    ]);
  });
});
