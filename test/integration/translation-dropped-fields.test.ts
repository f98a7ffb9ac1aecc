// On the real gateway: a translated request's dropped fields reach the log by path, nested ones
// included, without their values; and a Chat message that holds no content is refused by name
// rather than vanishing on its way upstream.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

interface LogLine { msg: string; request_id?: string; from?: string; fields?: string[] }

describe('translation: dropped fields', () => {
  let gw: TestGateway;
  before(async () => {
    // Loopback in translation mode: a Chat client is served through openai.responses, offline.
    gw = await startGateway(config({
      chain: `  - use: router
    with:
      routes:
        - { match: "*", provider: local, mode: translation }
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); });

  const chat = (body: object, id: string): Promise<Response> => fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ model: 'm', ...body }),
  });

  it('logs each dropped path at debug, nested keys included, never a value', async () => {
    const res = await chat({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', part_x: 'VALUE-1' }], x_msg_unknown: 'VALUE-2' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, fn_x: 'VALUE-3' } }],
      stream_options: { so_x: 'VALUE-4' },
    }, 'drop-paths-1');
    expect(res.status).to.equal(200);
    const lines = gw.logs.map((l) => JSON.parse(l) as LogLine & { level?: string }).filter((l) => l.msg === 'translation drops fields' && l.request_id === 'drop-paths-1');
    expect(lines).to.have.length(1);
    expect(lines[0]!.level).to.equal('debug');
    expect(lines[0]!.fields).to.deep.equal(['messages[0].content[0].part_x', 'messages[0].x_msg_unknown', 'tools[0].function.fn_x', 'stream_options.so_x']);
    expect(gw.logs.join('\n')).not.to.match(/VALUE-\d/);
  });

  it('refuses a user message whose content is null, naming the field in the client envelope', async () => {
    const res = await chat({ messages: [{ role: 'user', content: null }] }, 'drop-paths-2');
    expect(res.status).to.equal(400);
    const body = await res.json() as { error: { code: string; param: string; message: string } };
    expect(body.error.code).to.equal('SLUICE_E_INVALID_REQUEST');
    expect(body.error.param).to.equal('messages[0].content');
  });

  it('still takes an assistant message whose content is null (a tool-call turn)', async () => {
    const res = await chat({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    }, 'drop-paths-3');
    expect(res.status).to.equal(200);
  });
});
