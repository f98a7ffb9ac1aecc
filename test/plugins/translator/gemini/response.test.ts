// Gemini responses: decode (Gemini upstream), encode (Gemini client), round trips, finish reasons,
// usage classes, and a thought signature surviving into the next turn's request.
import { expect } from 'chai';
import type { JsonObject } from '../../../../core/index.js';
import type { IrResponse } from '../../../../plugins/translator/ir.js';
import { geminiGenerate } from '../../../../plugins/translator/protocols/gemini/index.js';
import { context, emptyRequest, genAiClient, loadGenAi, quietly, usage, withServer } from './helpers.js';

const REAL_RESPONSE: JsonObject = {
  candidates: [{
    content: {
      role: 'model',
      parts: [
        { text: '**Checking the file**', thought: true },
        { text: 'Let me read it.', thoughtSignature: 'CiQBjz1rX_text_sig' },
        { functionCall: { name: 'read_file', args: { file_path: 'a.ts' } }, thoughtSignature: 'CiQBjz1rX_call_sig' },
        { functionCall: { name: 'read_file', args: { file_path: 'b.ts' } } },
      ],
    },
    finishReason: 'STOP', index: 0,
  }],
  usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 115, cachedContentTokenCount: 60, thoughtsTokenCount: 5 },
  modelVersion: 'gemini-3-flash-preview',
  responseId: 'mXQiaZ_abc-123',
};

describe('gemini codec: decodeResponse', () => {
  it('decodes thinking, a signed text, calls without ids (minted, scoped by responseId) and usage classes', () => {
    expect(geminiGenerate.decodeResponse(REAL_RESPONSE)).to.deep.equal({
      id: 'mXQiaZ_abc-123',
      model: 'gemini-3-flash-preview',
      parts: [
        { type: 'thinking', text: '**Checking the file**', signature: 'CiQBjz1rX_text_sig' },
        { type: 'text', text: 'Let me read it.' },
        { type: 'tool_call', id: 'call_read_file_mXQiaZabc123_0', name: 'read_file', arguments: '{"file_path":"a.ts"}', signature: 'CiQBjz1rX_call_sig' },
        { type: 'tool_call', id: 'call_read_file_mXQiaZabc123_1', name: 'read_file', arguments: '{"file_path":"b.ts"}' },
      ],
      stopReason: 'tool_use',
      // prompt 100 includes 60 cached; output counts the 5 thought tokens as OpenAI and Anthropic do.
      usage: { inputTokens: 40, outputTokens: 15, cacheReadTokens: 60, cacheWriteTokens: 0, reasoningTokens: 5, estimated: false },
    });
  });

  const FINISH: [string, boolean, string][] = [
    ['STOP', false, 'end_turn'], ['STOP', true, 'tool_use'], ['MAX_TOKENS', true, 'max_tokens'], ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'], ['BLOCKLIST', false, 'content_filter'], ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'], ['IMAGE_SAFETY', false, 'content_filter'], ['MALFORMED_FUNCTION_CALL', false, 'end_turn'],
    ['OTHER', false, 'end_turn'], ['FINISH_REASON_UNSPECIFIED', false, 'end_turn'],
  ];
  for (const [reason, calls, expected] of FINISH) {
    it(`finishReason ${reason}${calls ? ' with calls' : ''} → ${expected}`, () => {
      const parts = calls ? [{ functionCall: { id: 'x', name: 'f', args: {} } }] : [{ text: 't' }];
      const res = geminiGenerate.decodeResponse({ candidates: [{ content: { role: 'model', parts }, finishReason: reason }] });
      expect(res.stopReason).to.equal(expected);
    });
  }

  it('a blocked prompt is a content_filter stop with no parts', () => {
    const res = geminiGenerate.decodeResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, responseId: 'r' });
    expect(res).to.deep.equal({ id: 'r', model: '', parts: [], stopReason: 'content_filter', usage: usage({ inputTokens: 7 }) });
  });

  it('counts tool-use prompt tokens as input', () => {
    const res = geminiGenerate.decodeResponse({ candidates: [], usageMetadata: { promptTokenCount: 10, toolUsePromptTokenCount: 4, candidatesTokenCount: 2 } });
    expect(res.usage).to.deep.equal(usage({ inputTokens: 14, outputTokens: 2 }));
  });
});

const IR: IrResponse = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  model: 'claude-sonnet-4-5',
  parts: [
    { type: 'thinking', text: 'The user wants the weather.', signature: 'EqQBCkgIBhABGAIiQL' },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
    { type: 'text', text: 'Checking.' },
    { type: 'tool_call', id: 'toolu_01A', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  stopReason: 'tool_use',
  usage: usage({ inputTokens: 40, outputTokens: 15, cacheReadTokens: 60, cacheWriteTokens: 8, reasoningTokens: 5 }),
};

const IR_AS_GEMINI: JsonObject = {
  candidates: [{
    content: { role: 'model', parts: [
      { text: 'The user wants the weather.', thought: true, thoughtSignature: 'EqQBCkgIBhABGAIiQL' },
      { text: 'Checking.' },
      { functionCall: { id: 'toolu_01A', name: 'get_weather', args: { city: 'Paris' } } },
    ] },
    finishReason: 'STOP',
    index: 0,
  }],
  usageMetadata: { promptTokenCount: 108, candidatesTokenCount: 10, totalTokenCount: 123, cachedContentTokenCount: 60, thoughtsTokenCount: 5 },
  modelVersion: 'gemini-client-model',
  responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
};

/** A client that asked for thoughts (`includeThoughts: true`); Google's default is without. */
const THOUGHTS = context({ request: emptyRequest({ reasoning: { enabled: true, includeThoughts: true } }) });

describe('gemini codec: encodeResponse', () => {
  it('encodes parts, finish reason, usage and echoes the client model', () => {
    expect(geminiGenerate.encodeResponse(IR, THOUGHTS)).to.deep.equal(IR_AS_GEMINI);
  });

  it('leaves reasoning text out unless the client asked (includeThoughts), and still counts its tokens', () => {
    const parts = (IR_AS_GEMINI['candidates'] as JsonObject[])[0]!['content'] as JsonObject;
    const expected = { ...IR_AS_GEMINI, candidates: [{ ...(IR_AS_GEMINI['candidates'] as JsonObject[])[0], content: { ...parts, parts: (parts['parts'] as JsonObject[]).slice(1) } }] };
    // As the translator hands it over: another family's signature tagged with its origin.
    const tagged: IrResponse = { ...IR, parts: IR.parts.map((p) => (p.type === 'thinking' ? { ...p, signature: `sluice1.anthropic.${p.signature}` } : p)) };
    expect(geminiGenerate.encodeResponse(tagged, context())).to.deep.equal(expected);
    // Reasoning with no text (encrypted only) shows nothing and is what the next turn needs: kept.
    const encrypted: IrResponse = { ...IR, parts: [{ type: 'thinking', text: '', signature: 'sluice1.openai.enc' }, { type: 'text', text: 'Hi' }] };
    expect(((geminiGenerate.encodeResponse(encrypted, context())['candidates'] as JsonObject[])[0]!['content'] as JsonObject)['parts'])
      .to.deep.equal([{ text: '', thought: true, thoughtSignature: 'sluice1.openai.enc' }, { text: 'Hi' }]);
  });

  it('maps every stop reason', () => {
    const reasons = { end_turn: 'STOP', tool_use: 'STOP', stop_sequence: 'STOP', pause: 'STOP', max_tokens: 'MAX_TOKENS', content_filter: 'SAFETY', refusal: 'SAFETY' } as const;
    for (const [ir, gemini] of Object.entries(reasons)) {
      const out = geminiGenerate.encodeResponse({ ...IR, parts: [], stopReason: ir as IrResponse['stopReason'] }, context());
      expect(((out['candidates'] as JsonObject[])[0] as JsonObject)['finishReason'], ir).to.equal(gemini);
    }
  });

  it('mints a response id when the upstream gave none', () => {
    const out = geminiGenerate.encodeResponse({ ...IR, id: '' }, context({ requestId: 'req-42' }));
    expect(out['responseId']).to.equal('resp_req42');
  });

  it('round-trips through decodeResponse (all but redacted thinking and cache writes)', () => {
    const back = geminiGenerate.decodeResponse(geminiGenerate.encodeResponse(IR, THOUGHTS));
    expect(back).to.deep.equal({
      ...IR, model: 'gemini-client-model', parts: IR.parts.filter((p) => p.type !== 'redacted_thinking'),
      // Gemini has no cache-write class: those tokens come back as plain input.
      usage: usage({ inputTokens: 48, outputTokens: 15, cacheReadTokens: 60, reasoningTokens: 5 }),
    });
  });

  it('keeps a thought signature across turns: response → next request → Gemini sees the same signed parts', () => {
    const turn = geminiGenerate.decodeResponse(REAL_RESPONSE);
    const calls = turn.parts.filter((p) => p.type === 'tool_call');
    const next = geminiGenerate.encodeRequest(emptyRequest({
      model: 'gemini-3-flash-preview',
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'read a and b' }] },
        { role: 'assistant', parts: turn.parts },
        { role: 'user', parts: calls.map((c) => ({ type: 'tool_result' as const, callId: c.id, content: [{ type: 'text' as const, text: 'ok' }], isError: false })) },
      ],
    }));
    const contents = next['contents'] as JsonObject[];
    const originalParts = ((REAL_RESPONSE['candidates'] as JsonObject[])[0]?.['content'] as JsonObject)['parts'] as JsonObject[];
    expect(contents[1]).to.deep.equal({
      role: 'model',
      parts: [
        // The signature that came on the answer's text rides back on its thinking, and is sent on the thinking.
        { text: '**Checking the file**', thought: true, thoughtSignature: 'CiQBjz1rX_text_sig' },
        { text: 'Let me read it.' },
        { ...originalParts[2], functionCall: { id: 'call_read_file_mXQiaZabc123_0', name: 'read_file', args: { file_path: 'a.ts' } } },
        { functionCall: { id: 'call_read_file_mXQiaZabc123_1', name: 'read_file', args: { file_path: 'b.ts' } } },
      ],
    });
    expect(contents[2]).to.deep.equal({ role: 'user', parts: [
      { functionResponse: { id: 'call_read_file_mXQiaZabc123_0', name: 'read_file', response: { output: 'ok' } } },
      { functionResponse: { id: 'call_read_file_mXQiaZabc123_1', name: 'read_file', response: { output: 'ok' } } },
    ] });
  });

  it('@google/genai generateContent reads the encoded response', async function () {
    const genai = await loadGenAi();
    if (!genai) this.skip(); // needs the @google/genai devDependency
    const body = JSON.stringify(geminiGenerate.encodeResponse(IR, context()));
    const res = await withServer(() => ({ contentType: 'application/json', body }), async (baseUrl, seen) => {
      const r = await genAiClient(genai, baseUrl).models.generateContent({ model: 'gemini-client-model', contents: 'weather?' });
      expect(seen[0]?.path).to.equal('/v1beta/models/gemini-client-model:generateContent');
      return r;
    });
    expect(quietly(() => res.text)).to.equal('Checking.');
    expect(res.functionCalls).to.deep.equal([{ id: 'toolu_01A', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(res.responseId).to.equal('msg_01XFDUDYJgAACzvnptvVoYEL');
    expect(res.candidates?.[0]?.finishReason).to.equal('STOP');
    expect(res.usageMetadata).to.deep.equal(IR_AS_GEMINI['usageMetadata']);
  });
});
