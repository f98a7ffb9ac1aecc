// Text that reaches the model from blocks that are not plain text: Anthropic `document` blocks with
// a text or content source, `search_result` blocks (also inside tool results), and Chat's
// `prediction.content`. Each mode must see them: enforce refuses, redact rewrites them in place,
// monitor records them.
import { expect } from 'chai';
import { runPlugin, type RunResult } from '../../../core/testing/index.js';
import firewall from '../../../plugins/firewall/index.js';
import type { JsonObject } from '../../../core/index.js';

const EMAIL = 'ann.lee@corp-mail.io';
const TOKEN = 'ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU';

const chatAnswer = { json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } };
const messagesAnswer = { json: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } };

async function run(path: string, body: JsonObject, mode: string): Promise<RunResult> {
  const upstream = path === '/v1/messages' ? messagesAnswer : chatAnswer;
  return runPlugin(firewall, { path, body: structuredClone(body), options: { mode }, upstream });
}

const anthropicCases: [string, JsonObject, (body: JsonObject) => unknown, unknown][] = [
  [
    'document, text source',
    { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `mail ${EMAIL}` }, title: 'notes' },
    (b) => ((b['source'] as JsonObject)['data']),
    'mail [EMAIL_ADDRESS_1]',
  ],
  [
    'document, content source as a string',
    { type: 'document', source: { type: 'content', content: `key ${TOKEN}` } },
    (b) => ((b['source'] as JsonObject)['content']),
    'key [GITHUB_TOKEN_1]',
  ],
  [
    'document, content source as text blocks',
    { type: 'document', source: { type: 'content', content: [{ type: 'text', text: `mail ${EMAIL}` }, { type: 'image', source: { type: 'url', url: 'https://x.io/a.png' } }] }, context: `from ${TOKEN}` },
    (b) => [((b['source'] as JsonObject)['content'] as JsonObject[])[0]!['text'], b['context']],
    ['mail [EMAIL_ADDRESS_1]', 'from [GITHUB_TOKEN_1]'],
  ],
  [
    'search_result',
    { type: 'search_result', source: 'https://wiki.example.org/page', title: 'Contacts', content: [{ type: 'text', text: `write to ${EMAIL}` }] },
    (b) => (b['content'] as JsonObject[])[0]!['text'],
    'write to [EMAIL_ADDRESS_1]',
  ],
];

describe('firewall: text in document, search_result and prediction blocks', () => {
  for (const [name, block, read, redacted] of anthropicCases) {
    const body = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [block, { type: 'text', text: 'summarise' }] }] };
    const inToolResult = {
      model: 'm', max_tokens: 10,
      messages: [
        { role: 'user', content: 'search' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'search', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [block] }] },
      ],
    };

    it(`Anthropic ${name}: enforce refuses, redact rewrites in place, monitor records`, async () => {
      const enforce = await run('/v1/messages', body, 'enforce');
      expect(enforce.status).to.equal(400);
      expect(enforce.upstreamRequests).to.have.length(0);

      const redact = await run('/v1/messages', body, 'redact');
      expect(redact.upstreamRequests).to.have.length(1);
      const sent = redact.upstreamRequests[0]!.body as { messages: { content: JsonObject[] }[] };
      expect(JSON.stringify(sent)).not.to.contain(EMAIL).and.not.to.contain(TOKEN);
      expect(read(sent.messages[0]!.content[0]!)).to.deep.equal(redacted);

      const monitor = await run('/v1/messages', body, 'monitor');
      expect(monitor.upstreamRequests).to.have.length(1);
      expect(monitor.exchange.findings.length).to.be.greaterThan(0);
      expect(JSON.stringify(monitor.upstreamRequests[0]!.body)).to.contain(name.includes('string') ? TOKEN : EMAIL);
    });

    it(`Anthropic ${name} inside a tool result: redact rewrites it in place`, async () => {
      const redact = await run('/v1/messages', inToolResult, 'redact');
      expect(redact.upstreamRequests).to.have.length(1);
      const sent = redact.upstreamRequests[0]!.body as { messages: { content: JsonObject[] }[] };
      expect(JSON.stringify(sent)).not.to.contain(EMAIL).and.not.to.contain(TOKEN);
      const result = sent.messages[2]!.content[0]!;
      expect(read((result['content'] as JsonObject[])[0]!)).to.deep.equal(redacted);
    });
  }

  const predictions: [string, JsonObject, (p: JsonObject) => unknown][] = [
    ['a string', { type: 'content', content: `return "${EMAIL}"` }, (p) => p['content']],
    ['text parts', { type: 'content', content: [{ type: 'text', text: `return "${EMAIL}"` }] }, (p) => (p['content'] as JsonObject[])[0]!['text']],
  ];
  for (const [name, prediction, read] of predictions) {
    it(`Chat prediction.content as ${name}: enforce refuses, redact rewrites in place, monitor records`, async () => {
      const body = { model: 'm', messages: [{ role: 'user', content: 'refactor this' }], prediction };
      const enforce = await run('/v1/chat/completions', body, 'enforce');
      expect(enforce.status).to.equal(400);
      expect(enforce.upstreamRequests).to.have.length(0);

      const redact = await run('/v1/chat/completions', body, 'redact');
      const sent = redact.upstreamRequests[0]!.body as JsonObject;
      expect(JSON.stringify(sent)).not.to.contain(EMAIL);
      expect(read(sent['prediction'] as JsonObject)).to.equal('return "[EMAIL_ADDRESS_1]"');

      const monitor = await run('/v1/chat/completions', body, 'monitor');
      expect(monitor.exchange.findings.map((f) => [f.type, f.locations])).to.deep.equal([['EMAIL_ADDRESS', ['prediction.content' + (name === 'a string' ? '' : '[0].text')]]]);
    });
  }
});
