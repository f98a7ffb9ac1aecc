// Loopback in Gemini's native API: generateContent, streamGenerateContent (SSE), countTokens,
// embedContent and batchEmbedContents. No official Gemini SDK is installed, so the assertions
// read the wire as @google/genai does: each SSE data line is a whole GenerateContentResponse.
import { expect } from 'chai';
import type { JsonObject } from '../../core/protocols/types.js';
import { LoopbackProvider } from '../../core/providers/loopback/loopback.js';
import { post, serveProvider, type ProviderServer } from './provider-server.js';

interface Part { text?: string; thought?: boolean; thoughtSignature?: string; functionCall?: { id: string; name: string; args: JsonObject } }
interface GenerateResponse {
  candidates: { content: { role: string; parts: Part[] }; finishReason?: string }[];
  usageMetadata?: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number; thoughtsTokenCount?: number };
}

const tools = [{ functionDeclarations: [{ name: 'run_shell_command', parameters: { type: 'OBJECT', properties: { command: { type: 'STRING' } } } }, { name: 'get_weather' }] }];
const user = (text: string) => ({ role: 'user', parts: [{ text }] });

describe('loopback: Gemini', () => {
  let server: ProviderServer;
  let generate: (body: object, model?: string) => Promise<{ status: number; json: GenerateResponse & JsonObject }>;
  let stream: (body: object) => Promise<GenerateResponse[]>;
  before(async () => {
    server = await serveProvider(new LoopbackProvider('local', []));
    generate = async (body, model = 'gemini-2.5-flash') => {
      const r = await post(`${server.url}/v1beta/models/${model}:generateContent`, body);
      return { status: r.status, json: r.json as GenerateResponse & JsonObject };
    };
    stream = async (body) => (await post(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, body)).events!.map((e) => e.data as unknown as GenerateResponse);
  });
  after(() => server.close());

  const parts = (chunks: GenerateResponse[]) => chunks.flatMap((c) => c.candidates[0]!.content.parts);
  const text = (ps: Part[]) => ps.filter((p) => !p.thought && p.text !== undefined).map((p) => p.text).join('');

  it('streams, chunk by chunk, the text the JSON call returns; usageMetadata and finishReason come last', async () => {
    const body = { systemInstruction: { parts: [{ text: 'be brief' }] }, contents: [user('hello there')] };
    const { json } = await generate(body);
    expect(text(json.candidates[0]!.content.parts)).to.equal('Loopback reply. You said: hello there');
    expect(json.candidates[0]!.finishReason).to.equal('STOP');
    expect(json.usageMetadata!.promptTokenCount).to.be.greaterThan(0);
    const chunks = await stream(body);
    expect(chunks.length).to.be.greaterThan(1);
    expect(text(parts(chunks))).to.equal(text(json.candidates[0]!.content.parts));
    expect(chunks.slice(0, -1).every((c) => c.usageMetadata === undefined && c.candidates[0]!.finishReason === undefined)).to.equal(true);
    expect(chunks.at(-1)!.usageMetadata).to.deep.equal(json.usageMetadata);
    const count = await post(`${server.url}/v1beta/models/gemini-2.5-flash:countTokens`, body);
    expect(count.json!['totalTokens']).to.equal(json.usageMetadata!.promptTokenCount);
    const wrapped = await post(`${server.url}/v1beta/models/gemini-2.5-flash:countTokens`, { generateContentRequest: { model: 'models/gemini-2.5-flash', ...body } });
    expect(wrapped.json!['totalTokens']).to.equal(json.usageMetadata!.promptTokenCount);
  });

  it('calls a function (with an id), replies to its functionResponse, and chains a marker inside it', async () => {
    const contents = [user('Run it [[tool:run_shell_command {"command":"echo one"}]]')];
    const { json } = await generate({ contents, tools }, 'models/gemini-2.5-flash');
    const call = json.candidates[0]!.content.parts[0]!.functionCall!;
    expect(call).to.deep.include({ name: 'run_shell_command', args: { command: 'echo one' } });
    expect(call.id).to.be.a('string').and.not.equal('');
    expect(parts(await stream({ contents, tools })).map((p) => p.functionCall)).to.deep.equal([call]);
    const history = [...contents, { role: 'model', parts: [{ functionCall: call, thoughtSignature: 'skip_thought_signature_validator' }] }];
    const answered = (output: string) => [...history, { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output } } }] }];
    const reply = await generate({ contents: answered('one'), tools });
    expect(text(reply.json.candidates[0]!.content.parts)).to.equal('Tool run_shell_command returned: one');
    const chained = await generate({ contents: answered('[[tool:run_shell_command {"command":"echo two"}]]'), tools });
    expect(chained.json.candidates[0]!.content.parts[0]!.functionCall).to.deep.include({ name: 'run_shell_command', args: { command: 'echo two' } });
  });

  it('thinks on [[think]] with a signed thought part that verifies next turn; a tampered one is a 400 in Gemini’s envelope', async () => {
    const contents = [user('[[think]] [[tool:get_weather {"city":"Paris"}]]')];
    const streamed = parts(await stream({ contents, tools }));
    const thought = streamed[0]!;
    expect(thought.thought).to.equal(true);
    expect(thought.text).to.match(/^Loopback reasoning\./);
    expect(thought.thoughtSignature).to.be.a('string');
    const { json } = await generate({ contents, tools });
    expect(json.candidates[0]!.content.parts[0]).to.deep.equal(thought);
    expect(json.usageMetadata!.thoughtsTokenCount).to.be.greaterThan(0);
    const call = streamed[1]!.functionCall!;
    const turn = (t: Part) => ({
      tools,
      contents: [...contents, { role: 'model', parts: [t, { functionCall: call }] }, { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: 'sunny' } } }] }],
    });
    expect(text((await generate(turn(thought))).json.candidates[0]!.content.parts)).to.equal('Tool get_weather returned: sunny');
    const bad = await generate(turn({ ...thought, thoughtSignature: thought.thoughtSignature!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }));
    expect(bad.status).to.equal(400);
    expect(bad.json['error']).to.deep.include({ code: 400, status: 'INVALID_ARGUMENT' });
  });

  it('makes two parallel function calls on [[parallel]]', async () => {
    const contents = [user('[[parallel]] [[tool:get_weather {"city":"Paris"}]] [[tool:run_shell_command {"command":"ls"}]]')];
    const calls = parts(await stream({ contents, tools })).map((p) => p.functionCall!);
    expect(calls.map((c) => c.name)).to.deep.equal(['get_weather', 'run_shell_command']);
    expect(new Set(calls.map((c) => c.id)).size).to.equal(2);
  });

  it('embeds one content or a batch, deterministically, with the asked dimensionality', async () => {
    const one = await post(`${server.url}/v1beta/models/text-embedding-004:embedContent`, { content: { parts: [{ text: 'a' }] } });
    const values = (one.json!['embedding'] as { values: number[] }).values;
    expect(values).to.have.length(768);
    expect(Math.hypot(...values)).to.be.closeTo(1, 1e-9);
    const batch = await post(`${server.url}/v1beta/models/text-embedding-004:batchEmbedContents`, {
      requests: ['a', 'b'].map((t) => ({ model: 'models/text-embedding-004', content: { role: 'user', parts: [{ text: t }] }, outputDimensionality: 8 })),
    });
    const embeddings = batch.json!['embeddings'] as { values: number[] }[];
    expect(embeddings.map((e) => e.values.length)).to.deep.equal([8, 8]);
    expect(embeddings[0]!.values).to.not.deep.equal(embeddings[1]!.values);
    expect(embeddings[0]!.values[0]! / values[0]!).to.not.equal(1); // a shorter vector is renormalised, not a prefix
  });
});
