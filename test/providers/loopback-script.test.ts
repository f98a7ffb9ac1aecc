// The loopback script is protocol-neutral: the same conversation gets the same answer in every
// protocol, and a reasoning signature issued in one protocol verifies in all of them (which is what
// lets tests prove that signatures survive translation).
import { expect } from 'chai';
import { GatewayError } from '../../core/errors.js';
import type { GatewayResponse } from '../../core/exchange.js';
import { parseProtocolName, type JsonObject, type ProtocolName } from '../../core/protocols/types.js';
import { LoopbackProvider } from '../../core/providers/loopback/loopback.js';
import { decide, type ConversationView } from '../../core/providers/loopback/script.js';

const loopback = new LoopbackProvider('local', []);
const ctx = { signal: new AbortController().signal, requestId: 'req-script', forwardHeaders: {} };

async function send(name: ProtocolName, body: object, stream = false, model = 'loopback'): Promise<JsonObject> {
  const res: GatewayResponse = await loopback.send({ protocol: parseProtocolName(name), body: body as JsonObject, stream, model }, ctx);
  if (res.kind !== 'json') throw new Error('expected JSON');
  return res.body as JsonObject;
}

function view(over: Partial<ConversationView>): ConversationView {
  return { lastUserText: '', toolResults: [], tools: [], promptText: 'p', thoughts: [], ...over };
}

describe('loopback script', () => {
  it('answers one conversation with the same text and the same input tokens in every protocol', async () => {
    const prompt = 'what is up?';
    const chat = await send('openai.chat', { messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: prompt }] });
    const responses = await send('openai.responses', { instructions: 'sys', input: prompt });
    const anthropic = await send('anthropic.messages', { system: 'sys', max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
    const gemini = await send('gemini.generate', { systemInstruction: { parts: [{ text: 'sys' }] }, contents: [{ role: 'user', parts: [{ text: prompt }] }] });
    const texts = [
      (chat as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
      (responses as { output: { content: { text: string }[] }[] }).output[0]!.content[0]!.text,
      (anthropic as { content: { text: string }[] }).content[0]!.text,
      (gemini as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]!.content.parts[0]!.text,
    ];
    expect(new Set(texts)).to.deep.equal(new Set(['Loopback reply. You said: what is up?']));
    const inputs = [
      (chat['usage'] as JsonObject)['prompt_tokens'], (responses['usage'] as JsonObject)['input_tokens'],
      (anthropic['usage'] as JsonObject)['input_tokens'], (gemini['usageMetadata'] as JsonObject)['promptTokenCount'],
    ];
    expect(new Set(inputs).size).to.equal(1);
  });

  it('verifies, in Responses and Gemini, a signature issued in Anthropic — and rejects it once the text changes', async () => {
    const first = await send('anthropic.messages', { max_tokens: 100, tools: [{ name: 'f' }], messages: [{ role: 'user', content: '[[think]] [[tool:f {}]]' }] });
    const [thinking, toolUse] = first['content'] as { thinking: string; signature: string; id: string }[];
    const responsesTurn = (text: string) => ({
      tools: [{ type: 'function', name: 'f' }],
      input: [
        { role: 'user', content: 'go' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text }], encrypted_content: thinking!.signature },
        { type: 'function_call', call_id: toolUse!.id, name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: toolUse!.id, output: 'done' },
      ],
    });
    const geminiTurn = (text: string) => ({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ text, thought: true, thoughtSignature: thinking!.signature }, { functionCall: { name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'done' } } }] },
      ],
    });
    expect(JSON.stringify(await send('openai.responses', responsesTurn(thinking!.thinking)))).to.include('Tool f returned: done');
    expect(JSON.stringify(await send('gemini.generate', geminiTurn(thinking!.thinking)))).to.include('Tool f returned: done');
    for (const [name, body] of [['openai.responses', responsesTurn('forged')], ['gemini.generate', geminiTurn('forged')]] as const) {
      const err = await send(name, body).catch((e: unknown) => e);
      expect(err, name).to.be.instanceOf(GatewayError);
      expect((err as GatewayError).status).to.equal(400);
      expect((err as GatewayError).upstream?.family).to.equal(name.split('.')[0]);
    }
  });

  it('rejects a forged signature before a stream starts (a 400, not an in-stream error)', async () => {
    const body = { messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 'not-ours' }] }, { role: 'user', content: 'hi' }] };
    const err = await loopback.send({ protocol: parseProtocolName('anthropic.messages'), body, stream: true, model: 'loopback' }, ctx).catch((e: unknown) => e);
    expect((err as GatewayError).status).to.equal(400);
  });

  it('scripts calls: unknown names go to the first tool, no tools means an echo, one call unless [[parallel]]', () => {
    expect(decide(view({ lastUserText: '[[tool:nope {"a":1}]]', tools: ['first', 'second'] })).toolCalls.map((c) => [c.name, c.arguments]))
      .to.deep.equal([['first', '{"a":1}']]);
    expect(decide(view({ lastUserText: '[[tool:first]]' })).text).to.equal('Loopback reply. You said: [[tool:first]]');
    expect(decide(view({ lastUserText: '[[tool:a]] [[tool:b]]', tools: ['a', 'b'] })).toolCalls.map((c) => c.name)).to.deep.equal(['a']);
    const parallel = decide(view({ lastUserText: '[[parallel]] [[tool:a]] [[tool:b]]', tools: ['a', 'b'] }));
    expect(parallel.toolCalls.map((c) => c.name)).to.deep.equal(['a', 'b']);
    expect(parallel.toolCalls[0]!.id).to.not.equal(parallel.toolCalls[1]!.id);
    const results = decide(view({ toolResults: [{ name: 'a', text: '1' }, { name: 'b', text: '2' }], tools: ['a'] }));
    expect(results.text).to.equal('Tool a returned: 1\nTool b returned: 2');
  });

  it('repeats a [[tool-loop:…]] call on every turn, in every protocol, never answering in text', async () => {
    const marker = '[[tool-loop:Bash {"command":"date"}]]';
    // decide(): the first turn, every later turn (the marker only in the history), a new human turn.
    const first = decide(view({ lastUserText: `loop ${marker}`, promptText: `loop ${marker}`, tools: ['Read', 'Bash'] }));
    expect(first.toolCalls.map((c) => [c.name, c.arguments])).to.deep.equal([['Bash', '{"command":"date"}']]);
    for (let turn = 1; turn <= 3; turn++) {
      const later = decide(view({ promptText: `loop ${marker}\n` + 'Mon\n'.repeat(turn), toolResults: [{ name: 'Bash', text: 'Mon' }], tools: ['Read', 'Bash'] }));
      expect(later.text, `turn ${turn}`).to.equal('');
      expect(later.toolCalls.map((c) => [c.name, c.arguments])).to.deep.equal([['Bash', '{"command":"date"}']]);
    }
    // A later text turn (a gateway's note translated into a user message, an agent's own "loop
    // detected" message) does not end it; without tools there is nothing to call.
    expect(decide(view({ promptText: `loop ${marker}\nNote: it repeats`, lastUserText: 'Note: it repeats', tools: ['Bash'] })).toolCalls.map((c) => c.name)).to.deep.equal(['Bash']);
    expect(decide(view({ promptText: marker, lastUserText: 'x' })).text).to.equal('Loopback reply. You said: x');
    // A [[tool:…]] marker in the last turn still wins; [[tool-loop is not read as a [[tool marker.
    expect(decide(view({ promptText: marker, toolResults: [{ name: 'Bash', text: '[[tool:Read {}]]' }], tools: ['Read', 'Bash'] })).toolCalls[0]!.name).to.equal('Read');
    expect(decide(view({ lastUserText: marker, promptText: marker })).text).to.equal(`Loopback reply. You said: ${marker}`);
    // Through the wire: a conversation three results deep still gets the call, not a text answer.
    const anthropic = await send('anthropic.messages', {
      model: 'm', max_tokens: 10, tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: `run ${marker}` },
        ...[1, 2, 3].flatMap((n) => [
          { role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${n}`, name: 'Bash', input: { command: 'date' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${n}`, content: 'Mon' }] },
        ]),
      ],
    });
    expect(anthropic['stop_reason']).to.equal('tool_use');
    expect((anthropic['content'] as JsonObject[])[0]).to.deep.include({ type: 'tool_use', name: 'Bash', input: { command: 'date' } });
    const gemini = await send('gemini.generate', {
      tools: [{ functionDeclarations: [{ name: 'run_shell_command' }] }],
      contents: [
        { role: 'user', parts: [{ text: '[[tool-loop:run_shell_command {"command":"date"}]]' }] },
        { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: { command: 'date' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'Mon' } } }] },
      ],
    });
    // A note a gateway plugin appends after the results (a Responses developer message) is not the turn.
    const responses = await send('openai.responses', {
      tools: [{ type: 'function', name: 'exec_command' }],
      input: [
        { role: 'user', content: '[[tool-loop:exec_command {"cmd":"date"}]]' },
        { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"date"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Chunk ID: 1\nOutput:\nMon' },
        { role: 'developer', content: [{ type: 'input_text', text: 'Note: the call repeats.' }] },
      ],
    });
    expect((responses['output'] as JsonObject[]).map((i) => [i['type'], i['arguments']])).to.deep.equal([['function_call', '{"cmd":"date"}']]);
    const parts = ((gemini['candidates'] as JsonObject[])[0]!['content'] as { parts: JsonObject[] }).parts;
    expect(parts.map((p) => p['functionCall'] && { ...(p['functionCall'] as JsonObject), id: undefined })).to.deep.equal([{ id: undefined, name: 'run_shell_command', args: { command: 'date' } }]);
  });

  it('answers the user\'s turn even when a system message follows it (as Claude Code sends)', async () => {
    const user = { role: 'user', content: 'run [[tool:Bash {"command":"ls"}]]' };
    const anthropic = await send('anthropic.messages', { model: 'm', max_tokens: 10, tools: [{ name: 'Bash', input_schema: { type: 'object' } }], messages: [user, { role: 'system', content: '# Environment' }] });
    expect((anthropic['content'] as JsonObject[])[0]).to.deep.include({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } });
    const chat = await send('openai.chat', { model: 'm', tools: [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }], messages: [user, { role: 'system', content: '# Environment' }] });
    expect(JSON.stringify(chat)).to.include('"arguments":"{\\"command\\":\\"ls\\"}"');
  });

  it('answers JSON that fits the schema when a client asks for structured output', async () => {
    const schema = { type: 'OBJECT', properties: { reasoning: { type: 'STRING' }, model_choice: { type: 'STRING', enum: ['flash', 'pro'] }, score: { type: 'integer', minimum: 1 } }, required: ['reasoning', 'model_choice', 'score'] };
    const gemini = await send('gemini.generate', { contents: [{ role: 'user', parts: [{ text: 'route this' }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } });
    const text = ((gemini['candidates'] as JsonObject[])[0]!['content'] as { parts: { text: string }[] }).parts[0]!.text;
    expect(JSON.parse(text)).to.deep.equal({ reasoning: 'loopback', model_choice: 'flash', score: 1 });
    const chat = await send('openai.chat', { model: 'm', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'hi' }] });
    expect(JSON.parse(((chat['choices'] as JsonObject[])[0]!['message'] as { content: string }).content)).to.deep.equal({});
  });

  it('refuses a protocol it does not serve with a coded error', async () => {
    const err = await send('openai.models' as ProtocolName, {}).catch((e: unknown) => e);
    expect((err as GatewayError).code).to.equal('SLUICE_E_UNSUPPORTED_OPERATION');
  });

  it('calls no tool when the tool choice says none, in every protocol, as a real model answers in text', async () => {
    const marker = 'go [[tool:f {"a":1}]]';
    const tool = { name: 'f', input_schema: { type: 'object' } };
    const chatTool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };
    const cases: [ProtocolName, object, object, (r: JsonObject) => unknown][] = [
      ['anthropic.messages', { max_tokens: 100, tools: [tool], messages: [{ role: 'user', content: marker }] }, { tool_choice: { type: 'none' } }, (r) => r['stop_reason']],
      ['openai.chat', { tools: [chatTool], messages: [{ role: 'user', content: marker }] }, { tool_choice: 'none' }, (r) => (r['choices'] as JsonObject[])[0]!['finish_reason']],
      ['openai.responses', { tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }], input: marker }, { tool_choice: 'none' }, (r) => (r['output'] as JsonObject[]).map((o) => o['type']).join()],
      ['gemini.generate', { tools: [{ functionDeclarations: [{ name: 'f' }] }], contents: [{ role: 'user', parts: [{ text: marker }] }] }, { toolConfig: { functionCallingConfig: { mode: 'NONE' } } }, (r) => Object.keys(((r['candidates'] as JsonObject[])[0]!['content'] as { parts: JsonObject[] }).parts[0]!).join()],
    ];
    for (const [protocol, body, none, shape] of cases) {
      const called = shape(await send(protocol, body));
      const answered = shape(await send(protocol, { ...body, ...none }));
      expect(answered, protocol).to.not.equal(called);
      expect(answered, protocol).to.be.oneOf(['end_turn', 'stop', 'message', 'text']);
    }
  });
});
