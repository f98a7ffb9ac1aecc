// Loopback in OpenAI Chat and Responses, judged by the official openai SDK's parsers.
import { expect } from 'chai';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { CustomTool, FunctionTool, ResponseInputItem, ResponseOutputItem } from 'openai/resources/responses/responses';
import { LoopbackProvider } from '../../core/providers/loopback/loopback.js';
import { post, serveProvider, type ProviderServer } from './provider-server.js';

const weather: ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const bash: ChatCompletionTool = { type: 'function', function: { name: 'Bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } };
const rWeather: FunctionTool = { type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const rBash: FunctionTool = { type: 'function', name: 'Bash', strict: false, parameters: { type: 'object', properties: { command: { type: 'string' } } } };
/** Codex's freeform patch tool, as Codex sends it (a grammar instead of a JSON schema). */
const rApplyPatch: CustomTool = { type: 'custom', name: 'apply_patch', description: 'Use the `apply_patch` tool to edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' } };

function functionCalls(items: ResponseOutputItem[]) {
  return items.filter((i) => i.type === 'function_call');
}

/** What the wire carried of each call (the SDK's stream helper adds `parsed_arguments`). */
function wireCalls(items: ResponseOutputItem[]) {
  return functionCalls(items).map(({ id, call_id, name, arguments: args, status }) => ({ id, call_id, name, args, status }));
}

describe('loopback: OpenAI Chat Completions', () => {
  let server: ProviderServer;
  let client: OpenAI;
  before(async () => {
    server = await serveProvider(new LoopbackProvider('local', []));
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  it('streams the text the JSON call returns, with usage when asked', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }];
    const json = await client.chat.completions.create({ model: 'loopback', messages });
    expect(json.choices[0]!.message.content).to.equal('Loopback reply. You said: hello there');
    expect(json.usage!.prompt_tokens).to.be.greaterThan(0);
    const stream = client.chat.completions.stream({ model: 'loopback', messages, stream_options: { include_usage: true } });
    let deltas = 0;
    stream.on('content', () => { deltas++; });
    const final = await stream.finalChatCompletion();
    expect(deltas).to.be.greaterThan(1);
    expect(final.choices[0]!.message.content).to.equal(json.choices[0]!.message.content);
    expect(final.usage).to.deep.equal(json.usage);
  });

  it('turns a tool marker into a tool call whose arguments stream in fragments of 8', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather? [[tool:get_weather {"city":"Paris"}]]' }];
    const json = await client.chat.completions.create({ model: 'loopback', messages, tools: [bash, weather] });
    const call = json.choices[0]!.message.tool_calls![0]!;
    expect(json.choices[0]!.finish_reason).to.equal('tool_calls');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function).to.deep.equal({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const pieces: string[] = [];
    const stream = client.chat.completions.stream({ model: 'loopback', messages, tools: [bash, weather] });
    stream.on('tool_calls.function.arguments.delta', (e) => { pieces.push(e.arguments_delta); });
    const final = await stream.finalChatCompletion();
    expect(pieces.length).to.be.greaterThan(1);
    expect(pieces.every((p) => p.length <= 8)).to.equal(true);
    expect(final.choices[0]!.message.tool_calls).to.deep.equal(json.choices[0]!.message.tool_calls);
  });

  it('replies to a tool result, and answers a marker inside a tool result with the next call', async () => {
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'Bash', arguments: '{"command":"echo step1"}' } };
    const base: ChatCompletionMessageParam[] = [{ role: 'user', content: 'go' }, { role: 'assistant', content: null, tool_calls: [call] }];
    const reply = await client.chat.completions.create({ model: 'loopback', tools: [bash], messages: [...base, { role: 'tool', tool_call_id: 'call_1', content: 'step1' }] });
    expect(reply.choices[0]!.message.content).to.equal('Tool Bash returned: step1');
    const chained = await client.chat.completions.create({
      model: 'loopback', tools: [bash],
      messages: [...base, { role: 'tool', tool_call_id: 'call_1', content: '[[tool:Bash {"command":"echo step2"}]]' }],
    });
    const next = chained.choices[0]!.message.tool_calls![0]!;
    if (next.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(next.function.arguments)).to.deep.equal({ command: 'echo step2' });
    expect(next.id).to.not.equal('call_1');
  });

  it('reasons first on [[think]] (reasoning_content, counted as reasoning tokens) and calls two tools on [[parallel]]', async () => {
    const content = '[[think]] [[parallel]] [[tool:get_weather {"city":"Paris"}]] and [[tool:get_weather {"city":"Rome"}]]';
    const json = await client.chat.completions.create({ model: 'loopback', tools: [weather], messages: [{ role: 'user', content }] });
    const message = json.choices[0]!.message as typeof json.choices[0]['message'] & { reasoning_content?: string };
    expect(message.reasoning_content).to.match(/^Loopback reasoning\./);
    expect(json.usage!.completion_tokens_details!.reasoning_tokens).to.be.greaterThan(0);
    expect(message.tool_calls!.map((c) => (c.type === 'function' ? c.function.arguments : ''))).to.deep.equal(['{"city":"Paris"}', '{"city":"Rome"}']);
    const raw = await post(`${server.url}/v1/chat/completions`, { model: 'loopback', stream: true, tools: [weather], messages: [{ role: 'user', content }] });
    const deltas = raw.events!.filter((e) => typeof e.data === 'object').map((e) => JSON.stringify(e.data));
    expect(deltas.join('')).to.include('reasoning_content');
    expect(deltas.filter((d) => d.includes('"index":1,"id"')).length).to.equal(1);
  });
});

describe('loopback: OpenAI Responses', () => {
  let server: ProviderServer;
  let client: OpenAI;
  before(async () => {
    server = await serveProvider(new LoopbackProvider('local', []));
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  it('streams the text the JSON call returns; events are numbered, named by type, and end with usage', async () => {
    const json = await client.responses.create({ model: 'loopback', instructions: 'be brief', input: 'hello there' });
    expect(json.output_text).to.equal('Loopback reply. You said: hello there');
    expect(json.usage!.input_tokens).to.be.greaterThan(0);
    const final = await client.responses.stream({ model: 'loopback', instructions: 'be brief', input: 'hello there' }).finalResponse();
    expect(final.output_text).to.equal(json.output_text);
    expect(final.usage).to.deep.equal(json.usage);
    const raw = await post(`${server.url}/v1/responses`, { model: 'loopback', input: 'hello there', stream: true });
    const types = raw.events!.map((e) => (e.data as { type: string }).type);
    expect(raw.events!.map((e) => e.event)).to.deep.equal(types);
    expect(raw.events!.map((e) => (e.data as { sequence_number: number }).sequence_number)).to.deep.equal(types.map((_, i) => i));
    expect(types.slice(0, 4)).to.deep.equal(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((t) => t === 'response.output_text.delta').length).to.be.greaterThan(1);
    expect(types.slice(-4)).to.deep.equal(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  });

  it('calls a tool (arguments in fragments of 8), replies to its output, and chains a marker in the output', async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: 'weather? [[tool:get_weather {"city":"Paris"}]]' }];
    const json = await client.responses.create({ model: 'loopback', input, tools: [rBash, rWeather] });
    const [call] = functionCalls(json.output);
    expect(call).to.include({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const pieces: string[] = [];
    const stream = client.responses.stream({ model: 'loopback', input, tools: [rBash, rWeather] });
    stream.on('response.function_call_arguments.delta', (e) => { pieces.push(e.delta); });
    const final = await stream.finalResponse();
    expect(pieces.length).to.be.greaterThan(1);
    expect(pieces.every((p) => p.length <= 8)).to.equal(true);
    expect(wireCalls(final.output)).to.deep.equal(wireCalls(json.output));

    const history: ResponseInputItem[] = [...input, { type: 'function_call', call_id: call!.call_id, name: call!.name, arguments: call!.arguments }];
    const reply = await client.responses.create({ model: 'loopback', tools: [rWeather], input: [...history, { type: 'function_call_output', call_id: call!.call_id, output: 'rainy' }] });
    expect(reply.output_text).to.equal('Tool get_weather returned: rainy');
    const chained = await client.responses.create({ model: 'loopback', tools: [rBash], input: [...history, { type: 'function_call_output', call_id: call!.call_id, output: 'next: [[tool:Bash {"command":"echo step2"}]]' }] });
    expect(functionCalls(chained.output)[0]).to.include({ name: 'Bash', arguments: '{"command":"echo step2"}' });
  });

  it('answers [[think]] with a reasoning item whose encrypted_content verifies next turn; a tampered one is a 400', async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: '[[think]] [[tool:get_weather {"city":"Paris"}]]' }];
    const final = await client.responses.stream({ model: 'loopback', input, tools: [rWeather] }).finalResponse();
    const reasoning = final.output.find((i) => i.type === 'reasoning');
    expect(reasoning?.encrypted_content).to.be.a('string');
    expect(reasoning!.summary[0]!.text).to.match(/^Loopback reasoning\./);
    expect(final.usage!.output_tokens_details.reasoning_tokens).to.be.greaterThan(0);
    const call = functionCalls(final.output)[0]!;
    const turn = (r: typeof reasoning): ResponseInputItem[] => [
      ...input, r!, { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: 'function_call_output', call_id: call.call_id, output: 'sunny' },
    ];
    const ok = await client.responses.create({ model: 'loopback', tools: [rWeather], input: turn(reasoning) });
    expect(ok.output_text).to.equal('Tool get_weather returned: sunny');
    const tampered = { ...reasoning!, summary: [{ type: 'summary_text' as const, text: 'I changed my mind.' }] };
    const err = await client.responses.create({ model: 'loopback', tools: [rWeather], input: turn(tampered) }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).to.equal('invalid_encrypted_content');
  });

  it('calls a freeform (custom) tool such as Codex\'s apply_patch with a custom_tool_call and its raw input, JSON and streamed, then replies to its output', async () => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch';
    const input: ResponseInputItem[] = [{ role: 'user', content: `patch it [[tool:apply_patch ${JSON.stringify({ input: patch })}]]` }];
    const tools = [rBash, rApplyPatch];
    const json = await client.responses.create({ model: 'loopback', input, tools });
    expect(json.output.map((i) => i.type)).to.deep.equal(['custom_tool_call']);
    const call = json.output[0] as OpenAI.Responses.ResponseCustomToolCall;
    expect(call).to.include({ name: 'apply_patch', input: patch, status: 'completed' });
    const pieces: string[] = [];
    const stream = client.responses.stream({ model: 'loopback', input, tools });
    stream.on('response.custom_tool_call_input.delta', (e) => { pieces.push(e.delta); });
    const final = await stream.finalResponse();
    expect(pieces.join('')).to.equal(patch);
    expect(final.output).to.deep.equal(json.output);
    const reply = await client.responses.create({ model: 'loopback', tools, input: [...input, { type: 'custom_tool_call', call_id: call.call_id, name: call.name, input: call.input }, { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Success. Updated the following files:\nA hello.txt' }] });
    expect(reply.output_text).to.equal('Tool apply_patch returned: Success. Updated the following files:\nA hello.txt');
  });

  it('makes two parallel function calls on [[parallel]]', async () => {
    const input = '[[parallel]] [[tool:get_weather {"city":"Paris"}]] [[tool:Bash {"command":"ls"}]]';
    const final = await client.responses.stream({ model: 'loopback', input, tools: [rWeather, rBash] }).finalResponse();
    expect(functionCalls(final.output).map((c) => c.name)).to.deep.equal(['get_weather', 'Bash']);
    expect(new Set(functionCalls(final.output).map((c) => c.call_id)).size).to.equal(2);
  });
});
