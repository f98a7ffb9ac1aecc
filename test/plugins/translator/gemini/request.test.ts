// Gemini request decode (Gemini clients) and encode (Gemini upstream), table-driven, plus the
// recorded Gemini CLI and @google/genai requests.
import { expect } from 'chai';
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../../../plugins/translator/ir.js';
import { geminiGenerate, SKIP_SIGNATURE } from '../../../../plugins/translator/protocols/gemini/index.js';
import { emptyRequest, fixtureJson } from './helpers.js';

const decode = (body: JsonObject, model = 'gemini-2.5-flash', stream = false): IrRequest => geminiGenerate.decodeRequest(body, model, stream);
const user = (...parts: JsonObject[]): JsonObject => ({ role: 'user', parts });
const model = (...parts: JsonObject[]): JsonObject => ({ role: 'model', parts });

describe('gemini codec: recorded client requests', () => {
  it('decodes @google/genai generateContentStream', () => {
    expect(decode(fixtureJson('requests/sdk.genai2.stream.json'), 'gemini-2.5-flash', true)).to.deep.equal({
      model: 'gemini-2.5-flash', system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
      tools: [], stop: [], stream: true, dropped: [],
    });
  });

  it('decodes a Gemini CLI function-response turn (ids, thoughtSignature, parametersJsonSchema, thinkingLevel)', () => {
    const body = fixtureJson('requests/gemini-cli.function-response-turn.json');
    const ir = decode(body, 'gemini-3.8-flash', true);
    expect(ir.system).to.have.length(1);
    expect(ir.system[0]?.text).to.match(/^You are Gemini CLI, an autonomous CLI agent/);
    expect(ir.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'user']);
    expect(ir.messages[0]?.parts.map((p) => p.type)).to.deep.equal(['text', 'text']);
    expect(ir.messages[1]?.parts).to.deep.equal([{
      type: 'tool_call', id: 'run_shell_command_1795340633261_0', name: 'run_shell_command',
      arguments: '{"command":"echo hello-from-gemini"}', signature: 'skip_thought_signature_validator',
    }]);
    expect(ir.messages[2]?.parts).to.deep.equal([{
      type: 'tool_result', callId: 'run_shell_command_1795340633261_0', name: 'run_shell_command', isError: false,
      content: [{ type: 'text', text: '<untrusted_context>\nOutput: hello-from-gemini\nProcess Group PGID: 4596\n</untrusted_context>' }],
    }]);
    expect(ir.tools.map((t) => t.name)).to.deep.equal(['read_file', 'run_shell_command', 'google_web_search']);
    const decls = ((body['tools'] as JsonObject[])[0] as JsonObject)['functionDeclarations'] as JsonObject[];
    expect(ir.tools[1]?.parameters).to.deep.equal(decls[1]?.['parametersJsonSchema']);
    expect(ir.tools[1]?.description).to.equal(decls[1]?.['description']);
    expect([ir.temperature, ir.topP, ir.topK]).to.deep.equal([1, 0.95, 64]);
    expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'high', includeThoughts: true });
    expect(ir.dropped).to.deep.equal([]);
  });

  it('re-encodes the Gemini CLI turn as Gemini would receive it (round trip)', () => {
    const body = fixtureJson('requests/gemini-cli.function-response-turn.json');
    const out = geminiGenerate.encodeRequest(decode(body, 'gemini-3.8-flash', true));
    const expected = structuredClone(body);
    delete (expected['systemInstruction'] as JsonObject)['role']; // systemInstruction's role is ignored by Gemini
    expect(out).to.deep.equal(expected);
  });

  it('decodes the Gemini CLI router request: responseJsonSchema with OpenAPI type names becomes JSON Schema', () => {
    const ir = decode(fixtureJson('requests/gemini-cli.router.json'), 'gemini-3.5-flash-lite');
    expect(ir.messages).to.have.length(2);
    expect(ir.messages[1]?.parts).to.deep.equal([{ type: 'text', text: 'Say hello' }]);
    expect(ir.system[0]?.text).to.match(/Task Routing AI/);
    expect(ir.responseFormat).to.deep.equal({
      type: 'json_schema', schema: {
        type: 'object',
        properties: {
          complexity_reasoning: { type: 'string', description: 'Brief explanation for the score.' },
          complexity_score: { type: 'integer', description: 'Complexity score from 1-100.' },
        },
        required: ['complexity_reasoning', 'complexity_score'],
      },
    });
    expect(ir.reasoning).to.deep.equal({ enabled: true, effort: 'high', includeThoughts: true });
  });

  it('decodes a Gemini CLI text turn with its tool list', () => {
    const ir = decode(fixtureJson('requests/gemini-cli.text-turn.json'), 'gemini-3.8-flash', true);
    expect(ir.messages).to.deep.equal([{ role: 'user', parts: [ir.messages[0]?.parts[0], { type: 'text', text: 'Say hello' }] }]);
    expect(ir.tools).to.have.length(3);
    expect(ir.toolChoice).to.equal(undefined);
  });
});

interface DecodeCase { name: string; body: JsonObject; expect: Partial<IrRequest> }

const DECODE_CASES: DecodeCase[] = [
  {
    name: 'systemInstruction parts and a bare string',
    body: { systemInstruction: { parts: [{ text: 'a' }, { text: 'b' }] }, contents: [] },
    expect: { system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
  },
  { name: 'systemInstruction as a string', body: { systemInstruction: 'be brief', contents: [] }, expect: { system: [{ type: 'text', text: 'be brief' }] } },
  {
    name: 'a missing role is a user turn; model is assistant',
    body: { contents: [{ parts: [{ text: 'q' }] }, model({ text: 'a' })] },
    expect: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }, { role: 'assistant', parts: [{ type: 'text', text: 'a' }] }] },
  },
  {
    name: 'thought parts become thinking with their signature; a signed answer text signs the thinking before it',
    body: { contents: [model({ text: 'hmm', thought: true }, { text: 'Hi', thoughtSignature: 'S1' }, { text: 'x', thought: true, thoughtSignature: 'S2' })] },
    expect: { messages: [{ role: 'assistant', parts: [
      { type: 'thinking', text: 'hmm', signature: 'S1' }, { type: 'text', text: 'Hi' }, { type: 'thinking', text: 'x', signature: 'S2' },
    ] }] },
  },
  {
    name: 'a signed answer text with no thinking before it keeps the signature on an empty thinking',
    body: { contents: [model({ text: 'Hi', thoughtSignature: 'S1' }, { text: '', thoughtSignature: 'S2' }, { text: '', thought: true }, { text: 'x', thought: true }, { thought: true, thoughtSignature: 'S3' })] },
    expect: { messages: [{ role: 'assistant', parts: [
      { type: 'thinking', text: '', signature: 'S1' }, { type: 'text', text: 'Hi' }, { type: 'thinking', text: '', signature: 'S2' },
      { type: 'thinking', text: 'x', signature: 'S3' },
    ] }] },
  },
  {
    name: 'images and PDFs inline and by URI; other media dropped by name',
    body: { contents: [user(
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'gs://bucket/cat.jpg' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { fileData: { mimeType: 'video/mp4', fileUri: 'https://example.com/v.mp4' } },
      { executableCode: { language: 'PYTHON', code: 'print(1)' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } },
    )] },
    expect: {
      messages: [{ role: 'user', parts: [
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { kind: 'url', url: 'gs://bucket/cat.jpg' } },
        { type: 'document', source: { kind: 'base64', data: 'JVBERi0=' } },
      ] }],
      dropped: ['contents[0].parts[3](fileData video/mp4)', 'contents[0].parts[4](executableCode)', 'contents[0].parts[5](codeExecutionResult)'],
    },
  },
  {
    name: 'calls without ids get deterministic ids; responses without ids match their calls by name, in order',
    body: { contents: [
      user({ text: 'weather?' }),
      model({ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG' }, { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }, { functionCall: { name: 'noop' } }),
      user(
        { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
        { functionResponse: { name: 'get_weather', response: { error: { message: 'no station' } } } },
        { functionResponse: { name: 'noop', response: { content: 'done' } } },
      ),
      user({ functionResponse: { name: 'get_weather', response: { temp: 3, unit: 'C' } } }),
    ] },
    expect: { messages: [
      { role: 'user', parts: [{ type: 'text', text: 'weather?' }] },
      { role: 'assistant', parts: [
        { type: 'tool_call', id: 'call_get_weather_0', name: 'get_weather', arguments: '{"city":"Paris"}', signature: 'SIG' },
        { type: 'tool_call', id: 'call_get_weather_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'tool_call', id: 'call_noop_2', name: 'noop', arguments: '{}' },
      ] },
      { role: 'user', parts: [
        { type: 'tool_result', callId: 'call_get_weather_0', name: 'get_weather', content: [{ type: 'text', text: '18C' }], isError: false },
        { type: 'tool_result', callId: 'call_get_weather_1', name: 'get_weather', content: [{ type: 'text', text: '{"message":"no station"}' }], isError: true },
        { type: 'tool_result', callId: 'call_noop_2', name: 'noop', content: [{ type: 'text', text: 'done' }], isError: false },
      ] },
      // Every call already answered: the latest call of that name is the best guess.
      { role: 'user', parts: [
        { type: 'tool_result', callId: 'call_get_weather_1', name: 'get_weather', content: [{ type: 'text', text: '{"temp":3,"unit":"C"}' }], isError: false },
      ] },
    ] },
  },
  {
    // Gemini CLI's --resume sends each earlier functionResponse twice in its turn: Anthropic and Chat
    // servers take one result per call id.
    name: 'a functionResponse repeated exactly in its turn is one result; a different one with the same id is kept',
    body: { contents: [
      model({ functionCall: { id: 'c1', name: 'ls', args: {} } }, { functionCall: { id: 'c2', name: 'ls', args: { all: true } } }),
      user(
        { functionResponse: { id: 'c1', name: 'ls', response: { output: 'a b' } } },
        { functionResponse: { id: 'c1', name: 'ls', response: { output: 'a b' } } },
        { functionResponse: { id: 'c2', name: 'ls', response: { output: 'a b .x' } } },
        { functionResponse: { id: 'c2', name: 'ls', response: { output: 'other' } } },
      ),
    ] },
    expect: { messages: [
      { role: 'assistant', parts: [
        { type: 'tool_call', id: 'c1', name: 'ls', arguments: '{}' },
        { type: 'tool_call', id: 'c2', name: 'ls', arguments: '{"all":true}' },
      ] },
      { role: 'user', parts: [
        { type: 'tool_result', callId: 'c1', name: 'ls', content: [{ type: 'text', text: 'a b' }], isError: false },
        { type: 'tool_result', callId: 'c2', name: 'ls', content: [{ type: 'text', text: 'a b .x' }], isError: false },
        { type: 'tool_result', callId: 'c2', name: 'ls', content: [{ type: 'text', text: 'other' }], isError: false },
      ] },
    ] },
  },
  {
    name: 'multimodal function responses keep their images',
    body: { contents: [user({ functionResponse: { id: 'c1', name: 'shot', response: { error: 'timeout' }, parts: [{ inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } }] } })] },
    expect: { messages: [{ role: 'user', parts: [{
      type: 'tool_result', callId: 'c1', name: 'shot', isError: true,
      content: [{ type: 'text', text: 'timeout' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/webp', data: 'UklGRg==' } }],
    }] }] },
  },
  {
    name: 'function declarations: parameters (OpenAPI) or parametersJsonSchema; hosted tools dropped',
    body: { contents: [], tools: [
      { functionDeclarations: [
        { name: 'a', description: 'A', parameters: { type: 'OBJECT', properties: { n: { type: 'INTEGER' }, tags: { type: 'ARRAY', items: { type: 'STRING' } } } } },
        { name: 'b', parametersJsonSchema: { type: 'object', properties: { type: { type: 'string' } }, additionalProperties: false } },
        { name: 'c' },
      ] },
      { googleSearch: {} }, { codeExecution: {} }, { urlContext: {} },
    ] },
    expect: {
      tools: [
        { name: 'a', description: 'A', parameters: { type: 'object', properties: { n: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } } },
        { name: 'b', parameters: { type: 'object', properties: { type: { type: 'string' } }, additionalProperties: false } },
        { name: 'c', parameters: { type: 'object', properties: {} } },
      ],
      dropped: ['tools[1].googleSearch', 'tools[2].codeExecution', 'tools[3].urlContext'],
    },
  },
  { name: 'ANY with one allowed name forces that tool', body: { contents: [], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a'] } } }, expect: { toolChoice: { name: 'a' } } },
  {
    name: 'ANY with several names is "required" (the restriction is dropped)',
    body: { contents: [], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'b'] } } },
    expect: { toolChoice: 'required', dropped: ['toolConfig.functionCallingConfig.allowedFunctionNames'] },
  },
  { name: 'NONE', body: { contents: [], toolConfig: { functionCallingConfig: { mode: 'NONE' } } }, expect: { toolChoice: 'none' } },
  { name: 'AUTO', body: { contents: [], toolConfig: { functionCallingConfig: { mode: 'AUTO' } } }, expect: { toolChoice: 'auto' } },
  { name: 'VALIDATED is auto', body: { contents: [], toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } }, expect: { toolChoice: 'auto' } },
  {
    name: 'generationConfig sampling, stops and JSON mode without a schema',
    body: { contents: [], generationConfig: { maxOutputTokens: 512, temperature: 0.2, topP: 0.9, topK: 40, stopSequences: ['END', 'STOP'], candidateCount: 1, responseMimeType: 'application/json' } },
    expect: { maxTokens: 512, temperature: 0.2, topP: 0.9, topK: 40, stop: ['END', 'STOP'], responseFormat: { type: 'json_object' } },
  },
  {
    name: 'responseSchema (OpenAPI) becomes a JSON schema',
    body: { contents: [], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'ARRAY', items: { type: 'STRING' } } } },
    expect: { responseFormat: { type: 'json_schema', schema: { type: 'array', items: { type: 'string' } } } },
  },
  {
    name: 'OpenAPI nullable becomes a "null" type (JSON Schema has no nullable keyword)',
    body: { contents: [], tools: [{ functionDeclarations: [{ name: 'a', parameters: { type: 'OBJECT', properties: {
      s: { type: 'STRING', nullable: true }, n: { type: 'INTEGER', nullable: false }, u: { type: ['STRING', 'NUMBER'], nullable: true },
      nullable: { type: 'BOOLEAN' },
    } } }] }] },
    expect: { tools: [{ name: 'a', parameters: { type: 'object', properties: {
      s: { type: ['string', 'null'] }, n: { type: 'integer' }, u: { type: ['string', 'number', 'null'] }, nullable: { type: 'boolean' },
    } } }] },
  },
  { name: 'thinkingBudget 0 turns reasoning off', body: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 0 } } }, expect: { reasoning: { enabled: false } } },
  { name: 'thinkingBudget -1 is dynamic', body: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: -1, includeThoughts: false } } }, expect: { reasoning: { enabled: true, includeThoughts: false } } },
  { name: 'a positive thinkingBudget', body: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, expect: { reasoning: { enabled: true, budgetTokens: 2048 } } },
  { name: 'thinkingLevel in any case', body: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'minimal' } } }, expect: { reasoning: { enabled: true, effort: 'minimal' } } },
  { name: 'seed and penalties', body: { contents: [], generationConfig: { seed: 7, presence_penalty: 0.5, frequencyPenalty: -0.1 } }, expect: { seed: 7, presencePenalty: 0.5, frequencyPenalty: -0.1 } },
  {
    name: 'fields no other protocol has are dropped by name',
    body: {
      contents: [], safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }], cachedContent: 'cachedContents/abc', labels: { team: 'x' },
      generationConfig: { responseModalities: ['TEXT'], speechConfig: {}, responseLogprobs: true },
    },
    expect: { dropped: [
      'safetySettings', 'cachedContent', 'labels',
      'generationConfig.responseModalities', 'generationConfig.speechConfig', 'generationConfig.responseLogprobs',
    ] },
  },
];

describe('gemini codec: decodeRequest', () => {
  for (const c of DECODE_CASES) {
    it(c.name, () => {
      const ir = decode(c.body);
      const expected: IrRequest = { ...emptyRequest(), ...c.expect };
      expect(ir).to.deep.equal(expected);
    });
  }

  it('rejects candidateCount above 1, bad roles and non-array contents', () => {
    const err = (body: JsonObject): unknown => { try { decode(body); } catch (e) { return e; } return undefined; };
    expect(err({ contents: [], generationConfig: { candidateCount: 2 } })).to.include({ code: 'SLUICE_E_INVALID_REQUEST', param: 'generationConfig.candidateCount', status: 400 });
    expect(err({ contents: [{ role: 'system', parts: [] }] })).to.include({ code: 'SLUICE_E_INVALID_REQUEST', param: 'contents[0].role' });
    expect(err({ contents: 'hi' })).to.include({ code: 'SLUICE_E_INVALID_REQUEST', param: 'contents' });
    expect(err({ contents: [], tools: [{ functionDeclarations: [{ description: 'nameless' }] }] })).to.include({ code: 'SLUICE_E_INVALID_REQUEST' });
  });
});

interface EncodeCase { name: string; ir: Partial<IrRequest>; expect: JsonObject }

const ENCODE_CASES: EncodeCase[] = [
  {
    name: 'system prompt and mid-conversation system messages become one systemInstruction, in order',
    ir: { system: [{ type: 'text', text: 'one' }], messages: [
      { role: 'user', parts: [{ type: 'text', text: 'q' }] },
      { role: 'system', parts: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'a' }] },
    ] },
    expect: { contents: [user({ text: 'q' }), model({ text: 'a' })], systemInstruction: { parts: [{ text: 'one' }, { text: 'two' }] } },
  },
  {
    name: 'tool calls keep ids and signatures; an unsigned first call gets the documented skip signature',
    ir: { messages: [
      { role: 'assistant', parts: [
        { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":' },
      ] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_a', content: [{ type: 'text', text: '18C' }], isError: false }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_b', name: 'get_weather', content: [{ type: 'text', text: 'bad ' }, { type: 'text', text: 'args' }], isError: true }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_c', name: 'noop', arguments: '', signature: 'REAL' }] },
    ] },
    expect: { contents: [
      model(
        { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SKIP_SIGNATURE },
        { functionCall: { id: 'call_b', name: 'get_weather', args: { _raw: '{"city":' } } },
      ),
      // Responses to one turn's calls are merged into one user turn, as Gemini requires.
      user(
        { functionResponse: { id: 'call_a', name: 'get_weather', response: { output: '18C' } } },
        { functionResponse: { id: 'call_b', name: 'get_weather', response: { error: 'bad \nargs' } } },
      ),
      model({ functionCall: { id: 'call_c', name: 'noop', args: {} }, thoughtSignature: 'REAL' }),
    ] },
  },
  {
    name: 'thinking: signed thoughts stay thought parts; an empty signed thinking signs the next part; redacted is dropped',
    ir: { messages: [{ role: 'assistant', parts: [
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'thinking', text: 'plan', signature: 'S1' },
      { type: 'thinking', text: 'unsigned' },
      { type: 'thinking', text: '', signature: 'S2' },
      { type: 'text', text: 'Hi' },
      { type: 'thinking', text: '', signature: 'S3' },
    ] }] },
    expect: { contents: [model(
      { text: 'plan', thought: true, thoughtSignature: 'S1' }, { text: 'unsigned', thought: true }, { text: 'Hi', thoughtSignature: 'S2' },
      { text: '', thought: true, thoughtSignature: 'S3' },
    )] },
  },
  {
    name: 'empty text parts and empty system texts are not sent (Gemini refuses a part with no data); a signed one is',
    ir: { system: [{ type: 'text', text: '' }], messages: [
      { role: 'user', parts: [{ type: 'text', text: '' }, { type: 'text', text: 'q' }] },
      { role: 'system', parts: [{ type: 'text', text: '' }] },
      { role: 'assistant', parts: [{ type: 'text', text: '' }] },
      { role: 'user', parts: [{ type: 'text', text: 'again' }] },
      { role: 'assistant', parts: [{ type: 'thinking', text: '', signature: 'S1' }, { type: 'text', text: '' }] },
    ] },
    expect: { contents: [user({ text: 'q' }), user({ text: 'again' }), model({ text: '', thoughtSignature: 'S1' })] },
  },
  {
    name: 'images: base64 inline, data URLs inline, other URLs as fileData with a MIME type from the extension',
    ir: { messages: [{ role: 'user', parts: [
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA=' } },
      { type: 'image', source: { kind: 'url', url: 'data:image/gif;base64,R0lG' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a/cat.WEBP?x=1' }, detail: 'high' },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/render' } },
    ] }] },
    expect: { contents: [user(
      { inlineData: { mimeType: 'image/png', data: 'AAA=' } },
      { inlineData: { mimeType: 'image/gif', data: 'R0lG' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/a/cat.WEBP?x=1' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render' } },
    )] },
  },
  {
    name: 'tools as parametersJsonSchema, forced tool choice, sampling and a JSON schema',
    ir: {
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object', properties: { x: { type: ['string', 'null'] } } }, strict: true }],
      toolChoice: { name: 'f' }, maxTokens: 100, temperature: 0, topP: 1, topK: 3, stop: ['\n\n'],
      responseFormat: { type: 'json_schema', name: 'out', strict: true, schema: { type: 'object' } }, user: 'u-1', parallelToolCalls: false,
    },
    expect: {
      contents: [],
      tools: [{ functionDeclarations: [{ name: 'f', description: 'F', parametersJsonSchema: { type: 'object', properties: { x: { type: ['string', 'null'] } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: { maxOutputTokens: 100, temperature: 0, topP: 1, topK: 3, stopSequences: ['\n\n'], responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } },
    },
  },
  { name: 'maxTokens above Gemini\'s ceiling is capped at 65536', ir: { maxTokens: 128000 }, expect: { contents: [], generationConfig: { maxOutputTokens: 65536 } } },
  { name: 'more stop sequences than Gemini\'s five: the first five are sent', ir: { stop: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, expect: { contents: [], generationConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } } },
  { name: 'tool choice required', ir: { toolChoice: 'required' }, expect: { contents: [], toolConfig: { functionCallingConfig: { mode: 'ANY' } } } },
  { name: 'tool choice none', ir: { toolChoice: 'none' }, expect: { contents: [], toolConfig: { functionCallingConfig: { mode: 'NONE' } } } },
  { name: 'json_object and text formats', ir: { responseFormat: { type: 'json_object' } }, expect: { contents: [], generationConfig: { responseMimeType: 'application/json' } } },
  { name: 'text format adds nothing', ir: { responseFormat: { type: 'text' } }, expect: { contents: [] } },
  {
    name: 'reasoning budget → thinkingBudget',
    ir: { reasoning: { enabled: true, budgetTokens: 4096, includeThoughts: true } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 4096, includeThoughts: true } } },
  },
  {
    name: 'effort on Gemini 3 → thinkingLevel',
    ir: { model: 'gemini-3-flash-preview', reasoning: { enabled: true, effort: 'medium' } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'MEDIUM' } } },
  },
  {
    name: 'minimal effort on a Gemini 3 Pro model → LOW (Pro has no MINIMAL)',
    ir: { model: 'gemini-3-pro-preview', reasoning: { enabled: true, effort: 'minimal' } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'LOW' } } },
  },
  {
    name: 'minimal effort on Gemini 3.8 Flash → LOW (3.7 and 3.8 Flash have no MINIMAL: a 400)',
    ir: { model: 'gemini-3.8-flash', reasoning: { enabled: true, effort: 'minimal' } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'LOW' } } },
  },
  {
    name: 'reasoning off on Gemini 3.7 Flash → LOW, its least thinking',
    ir: { model: 'models/gemini-3.7-flash', reasoning: { enabled: false } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'LOW' } } },
  },
  {
    name: 'reasoning off on Gemini 3.5 Flash-Lite → MINIMAL (Flash-Lite keeps it)',
    ir: { model: 'gemini-3.5-flash-lite', reasoning: { enabled: false } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'MINIMAL' } } },
  },
  {
    name: 'effort on Gemini 2.5 → a budget (2.5 has no thinkingLevel)',
    ir: { model: 'gemini-2.5-pro', reasoning: { enabled: true, effort: 'xhigh' } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 24576 } } },
  },
  {
    name: 'reasoning off on Gemini 2.5 → thinkingBudget 0, includeThoughts not sent',
    ir: { model: 'gemini-2.5-flash', reasoning: { enabled: false, includeThoughts: true } },
    expect: { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 0 } } },
  },
];

describe('gemini codec: encodeRequest', () => {
  for (const c of ENCODE_CASES) {
    it(c.name, () => {
      expect(geminiGenerate.encodeRequest(emptyRequest(c.ir))).to.deep.equal(c.expect);
    });
  }

  it('an image URL whose extension is an Object.prototype member (.constructor) is sent as JPEG', () => {
    const out = geminiGenerate.encodeRequest(emptyRequest({ messages: [{ role: 'user', parts: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/a.constructor' } }] }] }));
    expect(out).to.have.nested.property('contents[0].parts[0].fileData.mimeType', 'image/jpeg');
  });

  it('never puts model or stream in the body', () => {
    const out = geminiGenerate.encodeRequest(emptyRequest({ stream: true, model: 'gemini-2.5-pro', messages: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] }));
    expect(out).to.not.have.any.keys('model', 'stream');
  });
});
