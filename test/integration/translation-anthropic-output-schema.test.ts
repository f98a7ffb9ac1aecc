// Structured outputs from Gemini clients reach an Anthropic provider as a schema Anthropic takes.
// Gemini CLI's router asks for JSON with a schema on every turn (the recorded request below); its
// objects have no `additionalProperties: false`, which Anthropic's structured outputs require, and
// Gemini schemas carry constraints Anthropic does not enforce (`minimum`, `maxItems`,
// `propertyOrdering`). The mock provider refuses such a schema as Anthropic does; @google/genai is
// the client. A model without structured outputs (before Opus 4.1) gets the schema in its system
// prompt instead.
import { expect } from 'chai';
import { GoogleGenAI, type GenerateContentConfig, type GenerateContentResponse } from '@google/genai';
import { jsonAnswer } from '../helpers/family-answers.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { fixtureJson } from '../plugins/translator/gemini/helpers.js';
import type { JsonObject, JsonValue } from '../../core/index.js';

/** Keywords Anthropic's structured outputs enforce (its SDK keeps these and moves the rest into the description). */
const TAKEN = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', 'allOf', '$ref', '$defs', 'description', 'title', 'format', 'minItems']);

/** Anthropic's refusal for the first part of `schema` it does not take, or undefined. */
function anthropicRefusal(schema: JsonValue, at = 'schema'): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  if (schema['type'] === 'object' && schema['additionalProperties'] !== false) {
    return `output_config.format.${at}: For 'object' type, 'additionalProperties' must be explicitly set to false`;
  }
  for (const key of Object.keys(schema)) if (!TAKEN.has(key)) return `output_config.format.${at}: unsupported keyword '${key}'`;
  for (const [name, child] of Object.entries((schema['properties'] ?? {}) as JsonObject)) {
    const refusal = anthropicRefusal(child, `${at}.properties.${name}`);
    if (refusal) return refusal;
  }
  return schema['items'] === undefined ? undefined : anthropicRefusal(schema['items'], `${at}.items`);
}

describe('Gemini client, Anthropic provider: the response schema is one Anthropic takes', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let ai: GoogleGenAI;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const format = (req.body?.['output_config'] as JsonObject | undefined)?.['format'] as JsonObject | undefined;
      // Models before Opus 4.1 have no structured outputs: the field is refused outright.
      const old = String(req.body?.['model']).startsWith('claude-3');
      const refusal = old ? (format ? 'output_config.format: Extra inputs are not permitted' : undefined)
        : format ? anthropicRefusal(format['schema']!) : 'no output_config.format';
      if (refusal) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: refusal } }));
        return;
      }
      const answer = jsonAnswer('anthropic.messages', { model: String(req.body?.['model']), text: ['{"complexity_reasoning":"greeting","complexity_score":2}'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers:
  anth: { type: anthropic, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: test-key }
chain:
  - use: router
    with: { default: anth }
  - use: translator
`);
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); await mock.close(); });

  /** Gemini CLI's recorded router request (responseJsonSchema, thinking), sent through the SDK. */
  function askAsGeminiCliRouter(model: string): Promise<GenerateContentResponse> {
    const recorded = fixtureJson('requests/gemini-cli.router.json');
    return ai.models.generateContent({
      model,
      contents: recorded['contents'] as never,
      config: { ...(recorded['generationConfig'] as GenerateContentConfig), systemInstruction: recorded['systemInstruction'] as never },
    });
  }

  function sentSchema(): JsonObject {
    return ((mock.requests.at(-1)!.body!['output_config'] as JsonObject)['format'] as JsonObject)['schema'] as JsonObject;
  }

  it("Gemini CLI's router request (responseJsonSchema) is answered, its objects closed", async () => {
    const answer = await askAsGeminiCliRouter('claude-sonnet-4-5');
    expect(JSON.parse(answer.text!)).to.deep.equal({ complexity_reasoning: 'greeting', complexity_score: 2 });
    expect(sentSchema()).to.deep.equal({
      type: 'object',
      properties: {
        complexity_reasoning: { type: 'string', description: 'Brief explanation for the score.' },
        complexity_score: { type: 'integer', description: 'Complexity score from 1-100.' },
      },
      additionalProperties: false,
      required: ['complexity_reasoning', 'complexity_score'],
    });
  });

  it('responseSchema with nested objects and constraints: every object closed, the constraints kept in descriptions', async () => {
    const answer = await ai.models.generateContent({
      model: 'claude-sonnet-4-5',
      contents: 'Rate it',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT' as never, propertyOrdering: ['score', 'tags'],
          properties: {
            score: { type: 'INTEGER' as never, minimum: 1, maximum: 100, description: 'the score' },
            tags: { type: 'ARRAY' as never, maxItems: 3, items: { type: 'OBJECT' as never, properties: { name: { type: 'STRING' as never, nullable: true } } } },
          },
        },
      },
    });
    expect(answer.text).to.be.a('string');
    const schema = sentSchema();
    expect(schema['additionalProperties']).to.equal(false);
    const props = schema['properties'] as JsonObject;
    expect(props['score']).to.deep.equal({ type: 'integer', description: 'the score\n\n{minimum: 1, maximum: 100}' });
    expect(props['tags']).to.deep.equal({
      type: 'array',
      items: { type: 'object', properties: { name: { type: ['string', 'null'] } }, additionalProperties: false },
      description: '{maxItems: 3}',
    });
    expect(schema['description']).to.equal('{propertyOrdering: ["score","tags"]}');
  });

  it('a model without structured outputs (claude-3-5-haiku) is asked for the JSON in its system prompt, not refused', async () => {
    const answer = await askAsGeminiCliRouter('claude-3-5-haiku-latest');
    expect(JSON.parse(answer.text!)).to.deep.equal({ complexity_reasoning: 'greeting', complexity_score: 2 });
    const sent = mock.requests.at(-1)!.body!;
    expect(sent).to.not.have.property('output_config');
    const system = sent['system'] as { text: string }[];
    expect(system[0]!.text).to.match(/Task Routing AI/);
    const last = system.at(-1)!.text;
    expect(last).to.match(/^Answer with only a JSON value/);
    expect(JSON.parse(last.slice(last.indexOf('\n') + 1))).to.deep.include({ required: ['complexity_reasoning', 'complexity_score'] });
  });
});
