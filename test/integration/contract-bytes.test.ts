// Bytes: what no plugin changes crosses Sluice as it came — the client's request body to the
// upstream, the upstream's JSON answer and stream events to the client — even with plugins that
// read the request and its view in the chain; what a plugin does change (the request in place,
// stream events in place) is honoured. And Chat streaming asks upstream for usage on the client's
// behalf without the client ever seeing the extra chunk.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { familyProviders, familyRouter, modelIn } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { anthropicClient, GENERATE, genaiClient, openaiClient, type GenProtocol } from '../helpers/translation-rig.js';

const PLUGINS: Record<string, string> = {
  // Reads everything a plugin can read without taking the body: the client's bytes must still go upstream.
  'reader.js': `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'reader', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async ({ exchange }, next) => {
    const body = exchange.readRequest();
    const view = exchange.view();
    globalThis.__readerSaw = { keys: Object.keys(body).length, segments: view.segments().map((s) => s.text), calls: view.toolCalls().length, turns: view.turns() };
    await next();
  } }) });`,
  'mutate.js': `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'mutate', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async ({ exchange }, next) => {
    if (exchange.model.endsWith('-mutate')) {
      const req = exchange.request; // taking it says "I may change it"
      req.temperature = 0.25;
      req.metadata = { mutated: 'yes' };
    }
    await next();
  } }) });`,
  // Changes stream events in place, per family, as a plugin that knows the wire might.
  'shout.js': `import { definePlugin, z } from 'sluice';
const up = (o, k) => { if (o && typeof o[k] === 'string') o[k] = o[k].toUpperCase(); };
export default definePlugin({ name: 'shout', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async ({ exchange }, next) => {
    await next();
    const res = exchange.response;
    if (!exchange.model.endsWith('-shout') || res?.kind !== 'stream') return;
    const source = res.events;
    res.events = (async function* () {
      for await (const ev of source) {
        const d = ev.data;
        up(d?.choices?.[0]?.delta, 'content');                                   // Chat
        if (d?.type === 'response.output_text.delta') up(d, 'delta');             // Responses
        if (d?.type === 'content_block_delta') up(d.delta, 'text');              // Anthropic
        for (const p of d?.candidates?.[0]?.content?.parts ?? []) up(p, 'text'); // Gemini
        yield ev;
      }
    })();
  } }) });`,
};

/** A body written the way no serialiser writes it: odd whitespace, unusual key order, escapes kept. */
function oddBody(p: GenProtocol, model: string, extra = ''): string {
  switch (p) {
    case 'openai.chat':
      return `{\n\t"messages" :[ {"content":"caf\\u00e9  \\t ok", "role":"user"} ] ,"model": "${model}"${extra} ,\n"temperature":1.0 }  `;
    case 'openai.responses':
      return `{ "input":"caf\\u00e9",\r\n  "model" :"${model}"${extra},"max_output_tokens":16}`;
    case 'anthropic.messages':
      return `{"max_tokens" : 16,"messages":[{"role":"user","content":[{"text":"caf\\u00e9","type":"text"}]}],  "model":"${model}"${extra}}\n`;
    case 'gemini.generate':
      return `{ "contents" : [ { "parts": [ {"text":"caf\\u00e9"} ], "role":"user" } ]${extra} ,"generationConfig":{"temperature":1.0}}`;
  }
}

function pathFor(p: GenProtocol, model: string, stream: boolean): string {
  switch (p) {
    case 'openai.chat': return '/v1/chat/completions';
    case 'openai.responses': return '/v1/responses';
    case 'anthropic.messages': return '/v1/messages';
    case 'gemini.generate': return `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

/** The data payloads of an SSE text. */
function dataLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}

describe('contract: bytes pass untouched unless a plugin changes them', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body });

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: familyProviders(up.origin),
      chain: `  - use: ./reader.js\n${familyRouter()}\n  - use: ./mutate.js\n  - use: ./shout.js`,
    }), { files: PLUGINS });
  });
  afterEach(() => { up.handle(); up.answer = { text: ['Hello', ' world'] }; });
  after(async () => { await gw.close(); await up.close(); });

  for (const p of GENERATE) {
    for (const stream of [false, true]) {
      // Chat streams get stream_options spliced in (below); every other request goes as sent.
      if (p === 'openai.chat' && stream) continue;
      it(`${p}${stream ? ' (stream)' : ''}: a request no plugin changed reaches the upstream byte for byte`, async () => {
        const model = modelIn(p, 'bytes');
        const body = oddBody(p, model, stream && p !== 'gemini.generate' ? ', "stream" : true' : '');
        const res = await post(pathFor(p, model, stream), body);
        expect(res.status).to.equal(200);
        await res.arrayBuffer();
        expect(up.requests.at(-1)!.raw.toString('utf8')).to.equal(body);
        expect(globalThis.__readerSaw!.segments[0]).to.match(/^café/); // the reader did read it, escapes decoded
      });
    }
  }

  it('a plugin that changes exchange.request in place is honoured (Chat and Anthropic, via the SDKs)', async () => {
    await openaiClient(gw.url).chat.completions.create({ model: modelIn('openai.chat', 'mutate'), messages: [{ role: 'user', content: 'hi' }] });
    expect(up.requests.at(-1)!.body).to.deep.include({ temperature: 0.25, metadata: { mutated: 'yes' }, messages: [{ role: 'user', content: 'hi' }] });
    await anthropicClient(gw.url).messages.create({ model: modelIn('anthropic.messages', 'mutate'), max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    expect(up.requests.at(-1)!.body).to.deep.include({ temperature: 0.25, metadata: { mutated: 'yes' }, max_tokens: 8 });
  });

  it('an untouched upstream JSON answer reaches the client byte for byte', async () => {
    const answers: Record<string, string> = {
      '/v1/chat/completions': '{ "id":"chatcmpl-odd" , "object":"chat.completion","created":1,"model":"m",\n "choices":[{"index":0,"message":{"role":"assistant","content":"caf\\u00e9"},"finish_reason":"stop"}]}\n',
      '/v1/messages': '{"type":"message","id":"msg_odd","role":"assistant","model":"m","content":[{"type":"text","text":"caf\\u00e9"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"output_tokens":1,"input_tokens":2}}   ',
    };
    up.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(answers[req.url]); });
    for (const [p, path] of [['openai.chat', '/v1/chat/completions'], ['anthropic.messages', '/v1/messages']] as const) {
      const res = await post(path, oddBody(p, modelIn(p, 'answer')));
      expect(await res.text()).to.equal(answers[path]);
    }
    // …and the SDK still parses it.
    const r = await openaiClient(gw.url).chat.completions.create({ model: modelIn('openai.chat', 'answer'), messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices[0]!.message.content).to.equal('café');
  });

  it('untouched stream events reach the client with the upstream\'s own data text', async () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_odd', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'caf\u00e9' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ];
    // Spaces after colons and \u escapes: a re-serialised event would lose both.
    const odd = events.map((e) => JSON.stringify(e).replace(/":/g, '": ').replace('café', 'caf\\u00e9'));
    up.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }).end(odd.map((d, i) => `event: ${events[i]!.type}\ndata: ${d}\n\n`).join('')); });
    const res = await post('/v1/messages', oddBody('anthropic.messages', modelIn('anthropic.messages', 'sse'), ', "stream": true'));
    expect(dataLines(await res.text())).to.deep.equal(odd);
  });

  it('a plugin that changes stream events in place is honoured, in every protocol', async () => {
    up.answer = { text: ['Hello', ' world'] };
    const chat = openaiClient(gw.url).chat.completions.stream({ model: modelIn('openai.chat', 'shout'), messages: [{ role: 'user', content: 'x' }] });
    expect((await chat.finalChatCompletion()).choices[0]!.message.content).to.equal('HELLO WORLD');

    let responses = '';
    for await (const ev of await openaiClient(gw.url).responses.create({ model: modelIn('openai.responses', 'shout'), input: 'x', stream: true })) {
      if (ev.type === 'response.output_text.delta') responses += ev.delta;
    }
    expect(responses).to.equal('HELLO WORLD');

    const msg = await anthropicClient(gw.url).messages.stream({ model: modelIn('anthropic.messages', 'shout'), max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(msg.content[0]).to.deep.include({ type: 'text', text: 'HELLO WORLD' });

    let gemini = '';
    for await (const c of await genaiClient(gw.url).models.generateContentStream({ model: modelIn('gemini.generate', 'shout'), contents: 'x' })) gemini += c.text ?? '';
    expect(gemini).to.equal('HELLO WORLD');
  });

  describe('Chat streaming asks upstream for usage on the client\'s behalf', () => {
    it('a client that did not ask: stream_options spliced into its own bytes upstream; the usage chunk never reaches it', async () => {
      const model = modelIn('openai.chat', 'usage');
      const body = oddBody('openai.chat', model, ', "stream": true');
      const res = await post('/v1/chat/completions', body);
      const data = dataLines(await res.text());
      const raw = up.requests.at(-1)!.raw.toString('utf8');
      // The client's bytes up to its closing brace, then the member: nothing re-serialised.
      expect(raw).to.equal(`${body.trimEnd().slice(0, -1)},"stream_options":{"include_usage":true}}`);
      expect(data.at(-1)).to.equal('[DONE]');
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: unknown[]; usage?: unknown });
      expect(chunks.length).to.be.greaterThan(2);
      expect(chunks.every((c) => c.choices.length > 0 && c.usage === undefined)).to.equal(true);
      // …and the gateway still saw the usage.
      const line = gw.logs.map((l) => JSON.parse(l) as { msg: string; model?: string; usage?: { outputTokens: number } }).filter((l) => l.msg === 'request' && l.model === model).at(-1);
      expect(line?.usage?.outputTokens).to.equal(3);
    });

    it('a client that asked gets the usage chunk, and its bytes go upstream unchanged', async () => {
      const model = modelIn('openai.chat', 'usage2');
      const body = oddBody('openai.chat', model, ', "stream": true, "stream_options": {"include_usage": true}');
      const res = await post('/v1/chat/completions', body);
      const data = dataLines(await res.text());
      expect(up.requests.at(-1)!.raw.toString('utf8')).to.equal(body);
      const usage = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: unknown[]; usage?: { completion_tokens: number } }).filter((c) => c.usage);
      expect(usage).to.have.length(1);
      expect(usage[0]!.choices).to.deep.equal([]);
      expect(usage[0]!.usage!.completion_tokens).to.equal(3);
    });

    it('the SDK, streaming without asking, assembles the answer and sees no usage', async () => {
      const stream = await openaiClient(gw.url).chat.completions.create({ model: modelIn('openai.chat', 'usage3'), stream: true, messages: [{ role: 'user', content: 'x' }] });
      let text = '';
      let usage: unknown;
      for await (const c of stream) { text += c.choices[0]?.delta.content ?? ''; usage ??= c.usage; }
      expect(text).to.equal('Hello world');
      expect(usage).to.equal(undefined);
    });
  });
});

describe('contract: a route that renames the model changes only the model in the bytes', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  // A 64-bit integer, a float written as 1.0 and a number past float range: JSON.parse and
  // JSON.stringify would send 12345678901234567000, 1 and null.
  const EXTRA = ', "x_seed": 12345678901234567891 ,"x_scale":1.0,"x_huge":1e999';
  const FAMILY: [GenProtocol, string][] = [['openai.chat', 'up-chat'], ['openai.responses', 'up-responses'], ['anthropic.messages', 'up-anthropic']];

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: familyProviders(up.origin),
      chain: ['  - use: router', '    with:', '      mode: passthrough', '      routes:',
        ...FAMILY.map(([p, provider]) => `        - { match: "rename-${p}", provider: ${provider}, model: "real-model" }`),
        '      aliases: { "nick-chat": "rename-openai.chat" }'].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  for (const [p] of FAMILY) {
    for (const stream of [false, true]) {
      it(`${p}${stream ? ' (stream)' : ''}: the upstream gets the client's bytes with the new model name, nothing else rewritten`, async () => {
        const model = `rename-${p}`;
        const body = oddBody(p, model, EXTRA + (stream ? ', "stream" : true, "stream_options": {"include_usage": true}' : ''));
        const res = await fetch(`${gw.url}${pathFor(p, model, stream)}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
        expect(res.status).to.equal(200);
        await res.arrayBuffer();
        expect(up.requests.at(-1)!.raw.toString('utf8')).to.equal(body.replace(`"${model}"`, '"real-model"'));
      });
    }
  }

  it('an alias renames in place too; a Chat stream that did not ask for usage also gets stream_options spliced', async () => {
    const body = oddBody('openai.chat', 'nick-chat', EXTRA + ', "stream": true');
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    // (Whitespace after the closing brace is not part of the value: kept or not, either is the client's body.)
    expect(up.requests.at(-1)!.raw.toString('utf8').trimEnd()).to.equal(`${body.trimEnd().slice(0, -1).replace('"nick-chat"', '"real-model"')},"stream_options":{"include_usage":true}}`);
  });
});

declare global {
  // eslint-disable-next-line no-var
  var __readerSaw: { keys: number; segments: string[]; calls: number; turns: number } | undefined;
}
