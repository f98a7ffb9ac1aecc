// Loopback in Anthropic Messages and count_tokens, judged by the official @anthropic-ai/sdk parsers.
import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlock, MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { LoopbackProvider } from '../../core/providers/loopback/loopback.js';
import { post, serveProvider, type ProviderServer } from './provider-server.js';

const weather: Tool = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
const bash: Tool = { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } };

function toolUses(content: ContentBlock[]) {
  return content.filter((b) => b.type === 'tool_use').map(({ id, name, input }) => ({ id, name, input }));
}

describe('loopback: Anthropic Messages', () => {
  let server: ProviderServer;
  let client: Anthropic;
  before(async () => {
    server = await serveProvider(new LoopbackProvider('local', []));
    client = new Anthropic({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  it("quotes what the user said, not Claude Code's <system-reminder> blocks (claude -p hello, replayed)", async () => {
    // dist/test/providers → repository root: fixtures are not compiled.
    const recorded = JSON.parse(readFileSync(new URL('../../../test/fixtures/loopback/claude-code.messages.text-turn.json', import.meta.url), 'utf8')) as { body: Anthropic.MessageCreateParamsNonStreaming };
    const body = { ...recorded.body, stream: false, max_tokens: 1000, thinking: undefined, output_config: undefined, context_management: undefined } as Anthropic.MessageCreateParamsNonStreaming;
    const json = await client.messages.create(body);
    expect(json.content).to.deep.equal([{ type: 'text', text: 'Loopback reply. You said: Say hello' }]);
    const streamed = await client.messages.stream({ ...body, stream: true }).finalMessage();
    expect(streamed.content.map((b) => (b.type === 'text' ? b.text : ''))).to.deep.equal(['Loopback reply. You said: Say hello']);

    // A reminder in the user's own block, around their text, is left out too; what the user wrote is quoted.
    const long = 'x'.repeat(150);
    const mixed = await client.messages.create({ model: 'loopback', max_tokens: 100, messages: [{ role: 'user', content: [
      { type: 'text', text: 'an earlier paste' },
      { type: 'text', text: `<system-reminder>\n${long}\n</system-reminder>\nfix the bug <system-reminder>${long}</system-reminder>` },
      { type: 'text', text: '<system-reminder>only a reminder</system-reminder>' },
    ] }] });
    expect(mixed.content).to.deep.equal([{ type: 'text', text: 'Loopback reply. You said: an earlier paste\nfix the bug' }]);
  });

  it('streams the message the JSON call returns: input_tokens in message_start, ping, balanced blocks, usage last', async () => {
    const params = { model: 'loopback', max_tokens: 100, system: 'be brief', messages: [{ role: 'user' as const, content: 'hello there' }] };
    const json = await client.messages.create(params);
    expect(json.content).to.deep.equal([{ type: 'text', text: 'Loopback reply. You said: hello there' }]);
    expect(json.stop_reason).to.equal('end_turn');
    const final = await client.messages.stream(params).finalMessage();
    expect(final.content.map((b) => (b.type === 'text' ? b.text : ''))).to.deep.equal(['Loopback reply. You said: hello there']);
    expect(final.usage.input_tokens).to.equal(json.usage.input_tokens).and.be.greaterThan(0);
    expect(final.usage.output_tokens).to.equal(json.usage.output_tokens);
    const raw = await post(`${server.url}/v1/messages`, { ...params, stream: true });
    const types = raw.events!.map((e) => (e.data as { type: string }).type);
    expect(raw.events!.map((e) => e.event)).to.deep.equal(types);
    expect(types.slice(0, 3)).to.deep.equal(['message_start', 'ping', 'content_block_start']);
    expect(types.slice(-3)).to.deep.equal(['content_block_stop', 'message_delta', 'message_stop']);
    const start = raw.events![0]!.data as { message: { usage: { input_tokens: number } } };
    expect(start.message.usage.input_tokens).to.equal(json.usage.input_tokens);
    const count = await client.messages.countTokens({ model: 'loopback', system: 'be brief', messages: params.messages });
    expect(count.input_tokens).to.equal(json.usage.input_tokens);
  });

  it('calls a tool with input_json_delta fragments of 8, replies to its result, and chains a marker in the result', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'weather? [[tool:get_weather {"city":"Paris"}]]' }] }];
    const json = await client.messages.create({ model: 'loopback', max_tokens: 100, messages, tools: [bash, weather] });
    expect(json.stop_reason).to.equal('tool_use');
    const [call] = toolUses(json.content);
    expect(call).to.deep.include({ name: 'get_weather', input: { city: 'Paris' } });
    const pieces: string[] = [];
    const stream = client.messages.stream({ model: 'loopback', max_tokens: 100, messages, tools: [bash, weather] });
    stream.on('inputJson', (partial) => { pieces.push(partial); });
    const final = await stream.finalMessage();
    expect(pieces.length).to.be.greaterThan(1);
    expect(pieces.every((p) => p.length <= 8)).to.equal(true);
    expect(toolUses(final.content)).to.deep.equal(toolUses(json.content));

    const history: MessageParam[] = [...messages, { role: 'assistant', content: [{ type: 'tool_use', id: call!.id, name: call!.name, input: call!.input }] }];
    const reply = await client.messages.create({
      model: 'loopback', max_tokens: 100, tools: [weather],
      messages: [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'rainy' }] }],
    });
    expect(reply.content).to.deep.equal([{ type: 'text', text: 'Tool get_weather returned: rainy' }]);
    const chained = await client.messages.create({
      model: 'loopback', max_tokens: 100, tools: [weather, bash],
      messages: [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: [{ type: 'text', text: '[[tool:Bash {"command":"echo step2"}]]' }] }] }],
    });
    expect(toolUses(chained.content)[0]).to.deep.include({ name: 'Bash', input: { command: 'echo step2' } });
  });

  it('thinks on [[think]] with a signed block that verifies next turn; a tampered one is a 400 in Anthropic’s words', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: '[[think]] [[tool:get_weather {"city":"Paris"}]]' }];
    let signed = '';
    const stream = client.messages.stream({ model: 'loopback', max_tokens: 100, messages, tools: [weather] });
    stream.on('signature', (s) => { signed = s; });
    const final = await stream.finalMessage();
    const thinking = final.content[0]!;
    if (thinking.type !== 'thinking') throw new Error(`expected a thinking block first, got ${thinking.type}`);
    expect(thinking.signature).to.equal(signed).and.not.equal('');
    expect(thinking.thinking).to.match(/^Loopback reasoning\./);
    const call = toolUses(final.content)[0]!;
    const turn = (block: typeof thinking): MessageParam[] => [
      ...messages,
      { role: 'assistant', content: [{ type: 'thinking', thinking: block.thinking, signature: block.signature }, { type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny' }] },
    ];
    const ok = await client.messages.create({ model: 'loopback', max_tokens: 100, tools: [weather], messages: turn(thinking) });
    expect(ok.content).to.deep.equal([{ type: 'text', text: 'Tool get_weather returned: sunny' }]);
    const err = await client.messages.create({ model: 'loopback', max_tokens: 100, tools: [weather], messages: turn({ ...thinking, thinking: thinking.thinking + ' (edited)' }) }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Anthropic.BadRequestError);
    const body = (err as InstanceType<typeof Anthropic.BadRequestError>).error as { type: string; error: { type: string; message: string } };
    expect(body.type).to.equal('error');
    expect(body.error).to.deep.equal({ type: 'invalid_request_error', message: 'messages.1.content.0: Invalid `signature` in `thinking` block' });
  });

  it('makes two parallel tool calls on [[parallel]], in one stream of sequential blocks', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: '[[parallel]] [[tool:get_weather {"city":"Paris"}]] [[tool:get_weather {"city":"Rome"}]]' }];
    const final = await client.messages.stream({ model: 'loopback', max_tokens: 100, messages, tools: [weather] }).finalMessage();
    expect(toolUses(final.content).map((c) => c.input)).to.deep.equal([{ city: 'Paris' }, { city: 'Rome' }]);
    expect(new Set(toolUses(final.content).map((c) => c.id)).size).to.equal(2);
  });

  it('honours stop_sequences and max_tokens as Claude does, JSON and stream alike; tool calls are not cut', async () => {
    const params = { model: 'loopback', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hello there' }] };
    const stopped = await client.messages.create({ ...params, stop_sequences: ['there', 'said'] });
    expect(stopped.content).to.deep.equal([{ type: 'text', text: 'Loopback reply. You ' }]);
    expect(stopped).to.deep.include({ stop_reason: 'stop_sequence', stop_sequence: 'said' });
    const streamed = await client.messages.stream({ ...params, stop_sequences: ['there', 'said'] }).finalMessage();
    expect(streamed.content).to.deep.equal(stopped.content);
    expect(streamed).to.deep.include({ stop_reason: 'stop_sequence', stop_sequence: 'said' });
    expect(streamed.usage.output_tokens).to.equal(stopped.usage.output_tokens);

    const short = await client.messages.create({ ...params, max_tokens: 3 });
    expect(short.stop_reason).to.equal('max_tokens');
    expect(short.usage.output_tokens).to.equal(3);
    expect(short.content).to.deep.equal([{ type: 'text', text: 'Loopback rep' }]);
    const shortStream = await client.messages.stream({ ...params, max_tokens: 3 }).finalMessage();
    expect(shortStream.content).to.deep.equal(short.content);
    expect(shortStream.stop_reason).to.equal('max_tokens');

    // A sequence the answer does not contain changes nothing.
    const whole = await client.messages.create({ ...params, stop_sequences: ['zebra'] });
    expect(whole).to.deep.include({ stop_reason: 'end_turn', stop_sequence: null });
    expect(whole.content).to.deep.equal([{ type: 'text', text: 'Loopback reply. You said: hello there' }]);
    const call = await client.messages.create({ model: 'loopback', max_tokens: 2, stop_sequences: ['Paris'], tools: [weather], messages: [{ role: 'user', content: '[[tool:get_weather {"city":"Paris"}]]' }] });
    expect(call.stop_reason).to.equal('tool_use');
    expect(toolUses(call.content)[0]!.input).to.deep.equal({ city: 'Paris' });
  });
});
