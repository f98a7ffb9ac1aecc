// A tool whose parameters have an array without `items` (common in MCP servers' tools, and taken by
// Gemini and Anthropic) reaches an OpenAI provider, Chat or Responses, as a schema OpenAI takes.
// The mock refuses it as OpenAI does; @google/genai (Gemini CLI's SDK) is the client.
import { expect } from 'chai';
import { GoogleGenAI } from '@google/genai';
import { jsonAnswer } from '../helpers/family-answers.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import type { JsonValue } from '../../core/index.js';

/** Where OpenAI would find an array schema without items, as its error names it, or undefined. */
function arrayWithoutItems(schema: JsonValue, context: string[] = []): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) {
      const found = arrayWithoutItems(s, [...context, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  const type = schema['type'];
  const isArray = type === 'array' || (Array.isArray(type) && type.includes('array'));
  if (isArray && schema['items'] === undefined) return `(${context.map((c) => `'${c}'`).join(', ')})`;
  for (const [key, sub] of Object.entries(schema)) {
    const found = arrayWithoutItems(sub, [...context, key]);
    if (found) return found;
  }
  return undefined;
}

describe('Gemini client, OpenAI providers: tool arrays without items', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let ai: GoogleGenAI;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const responses = req.url.endsWith('/responses');
      for (const [i, tool] of ((req.body?.['tools'] ?? []) as Record<string, Record<string, JsonValue>>[]).entries()) {
        const params = responses ? tool['parameters']! : tool['function']!['parameters']!;
        const where = arrayWithoutItems(params);
        if (where) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: {
            message: `Invalid schema for function 'read_many': In context=${where}, array schema missing items.`,
            type: 'invalid_request_error', param: responses ? `tools[${i}].parameters` : `tools[${i}].function.parameters`, code: 'invalid_function_parameters',
          } }));
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jsonAnswer(responses ? 'openai.responses' : 'openai.chat', { model: 'gpt-4o', text: ['done'] })));
    });
    gw = await startGateway(config({
      providers: [
        `  chat: { type: openai, base_url: "${mock.url}", api_key: test-key, protocols: [openai.chat] }`,
        `  resp: { type: openai, base_url: "${mock.url}", api_key: test-key, protocols: [openai.responses] }`,
      ].join('\n'),
      chain: '  - use: router\n    with: { routes: [{ match: "via-chat", provider: chat, model: gpt-4o }, { match: "via-responses", provider: resp, model: gpt-4o }], default: local }\n  - use: translator',
    }));
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); await mock.close(); });

  const parametersJsonSchema = {
    type: 'object',
    properties: {
      paths: { type: 'array', description: 'files to read' },
      options: { type: 'object', properties: { exclude: { type: ['array', 'null'] }, limits: { type: 'array', items: { type: 'integer' } } } },
      filter: { anyOf: [{ type: 'string' }, { type: 'array' }] },
    },
    required: ['paths'],
  };

  for (const model of ['via-chat', 'via-responses']) {
    it(`${model}: answered; every array has items, the rest of the schema as the client wrote it`, async () => {
      const answer = await ai.models.generateContent({ model, contents: 'read them', config: { tools: [{ functionDeclarations: [{ name: 'read_many', parametersJsonSchema }] }] } });
      expect(answer.text).to.equal('done');
      const tool = (mock.requests.at(-1)!.body!['tools'] as Record<string, Record<string, JsonValue>>[])[0]!;
      const sent = model === 'via-chat' ? tool['function']!['parameters'] : tool['parameters'];
      expect(sent).to.deep.equal({
        type: 'object',
        properties: {
          paths: { type: 'array', description: 'files to read', items: {} },
          options: { type: 'object', properties: { exclude: { type: ['array', 'null'], items: {} }, limits: { type: 'array', items: { type: 'integer' } } } },
          filter: { anyOf: [{ type: 'string' }, { type: 'array', items: {} }] },
        },
        required: ['paths'],
      });
    });
  }
});
