// On the real gateway: what the client sent that the IR holds but the target protocol cannot take
// (Chat `user` towards Gemini, say) is named in the one `translation drops fields` debug line, by
// the client's own field name, after what the decoder dropped — for each of the four targets.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

interface LogLine { msg: string; level?: string; request_id?: string; from?: string; to?: string; fields?: string[] }

describe('translation: fields the target protocol cannot take', () => {
  let gw: TestGateway;
  let down: MockUpstream;
  before(async () => {
    // An Anthropic upstream that is overloaded (Anthropic's own error body), with a Gemini fallback.
    down = await startMockUpstream();
    down.handle((_req, res) => { res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })); });
    // Offline loopbacks, each speaking one protocol only, so every request is translated.
    gw = await startGateway(config({
      providers: `  to-chat: { type: loopback, protocols: [openai.chat] }
  to-responses: { type: loopback, protocols: [openai.responses] }
  to-anthropic: { type: loopback, protocols: [anthropic.messages] }
  to-gemini: { type: loopback, protocols: [gemini.generate] }
  down: { type: anthropic, base_url: "${down.url}", api_key: k }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "m-chat", provider: to-chat, mode: translation }
        - { match: "m-responses", provider: to-responses, mode: translation }
        - { match: "m-anthropic", provider: to-anthropic, mode: translation }
        - { match: "m-gemini", provider: to-gemini, mode: translation }
        - { match: "m-fallback", provider: down, fallbacks: [to-gemini], mode: translation }
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await down.close(); });

  const post = (path: string, body: object, id: string): Promise<Response> => fetch(`${gw.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(body),
  });
  const dropLine = (id: string): LogLine => {
    const lines = gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields' && l.request_id === id);
    expect(lines).to.have.length(1);
    expect(lines[0]!.level).to.equal('debug');
    return lines[0]!;
  };
  const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } };

  it('towards Gemini: Chat user, parallel_tool_calls and a tool\'s strict', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'm-gemini', messages: [{ role: 'user', content: 'hi' }], user: 'SECRET-USER', parallel_tool_calls: false, tools: [tool], logit_bias: { '50256': -100 },
    }, 'unsent-gemini');
    expect(res.status).to.equal(200);
    const line = dropLine('unsent-gemini');
    expect(line.to).to.equal('gemini.generate');
    expect(line.fields).to.deep.equal(['logit_bias', 'user', 'parallel_tool_calls', 'tools[].function.strict']);
    expect(gw.logs.join('\n')).not.to.include('SECRET-USER');
  });

  it('towards Chat: Gemini generationConfig.topK', async () => {
    const res = await post('/v1beta/models/m-chat:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { topK: 20, temperature: 0.5 },
    }, 'unsent-chat');
    expect(res.status).to.equal(200);
    expect(dropLine('unsent-chat').fields).to.deep.equal(['generationConfig.topK']);
  });

  it('towards Responses: Anthropic stop_sequences, top_k and a tool result\'s is_error', async () => {
    const res = await post('/v1/messages', {
      model: 'm-responses', max_tokens: 100, stop_sequences: ['END'], top_k: 5,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: 'run f' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'failed', is_error: true }] },
      ],
    }, 'unsent-responses');
    expect(res.status).to.equal(200);
    expect(dropLine('unsent-responses').fields).to.deep.equal(['top_k', 'stop_sequences', 'messages[].content[].is_error']);
  });

  it('towards Anthropic: Chat json_object response_format and an image detail', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'm-anthropic', response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] }],
    }, 'unsent-anthropic');
    expect(res.status).to.equal(200);
    expect(dropLine('unsent-anthropic').fields).to.deep.equal(['response_format', 'messages[].content[].image_url.detail']);
  });

  it('names nothing a client did not send: a Gemini JSON schema has no name for Anthropic to leave out', async () => {
    const res = await post('/v1beta/models/m-anthropic:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'list' }] }],
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'array', items: { type: 'string' } } },
    }, 'unsent-gemini-schema');
    expect(res.status).to.equal(200);
    expect(gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.request_id === 'unsent-gemini-schema' && l.msg === 'translation drops fields')).to.deep.equal([]);
  });

  it('logs no line when the target takes everything the client sent', async () => {
    const res = await post('/v1/chat/completions', { model: 'm-anthropic', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, user: 'u' }, 'unsent-none');
    expect(res.status).to.equal(200);
    expect(gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.request_id === 'unsent-none' && l.msg === 'translation drops fields')).to.have.length(0);
  });

  it('names, on a fallback to another protocol, what that target leaves out, in a line of its own', async () => {
    const res = await post('/v1/chat/completions', { model: 'm-fallback', messages: [{ role: 'user', content: 'hi' }], user: 'u', logit_bias: { '50256': -100 } }, 'unsent-fallback');
    expect(res.status).to.equal(200);
    const lines = gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields' && l.request_id === 'unsent-fallback');
    // Anthropic takes `user` (as metadata.user_id), Gemini does not; the decoder's `logit_bias` is named once.
    expect(lines.map((l) => [l.to, l.fields])).to.deep.equal([['anthropic.messages', ['logit_bias']], ['gemini.generate', ['user']]]);
  });
});
