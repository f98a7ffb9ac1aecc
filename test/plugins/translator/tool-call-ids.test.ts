// Tool-call ids as signature carriers (Anthropic and Responses clients) and ids mapped for Anthropic.
import { expect } from 'chai';
import { createRequestView, parseProtocolName, type JsonObject, type ProtocolName } from '../../../core/index.js';
import type { IrRequest } from '../../../plugins/translator/ir.js';
import { resolvePassthroughSignatures } from '../../../plugins/translator/passthrough-signatures.js';
import { anthropicMessages } from '../../../plugins/translator/protocols/anthropic/index.js';
import { openaiResponses } from '../../../plugins/translator/protocols/responses/index.js';
import { untagRequest } from '../../../plugins/translator/signatures.js';
import { anthropicToolId, bareId, chatToolIdFor, idWithSignature, splitSignature } from '../../../plugins/translator/tool-call-ids.js';

/** Resolves through core's view of the body, as the translator does with the exchange's. */
const resolve = (name: ProtocolName, body: JsonObject) => resolvePassthroughSignatures(createRequestView(parseProtocolName(name), body));

const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;
const json = (v: unknown) => v as JsonObject;

describe('translator: tool-call ids carry Gemini function-call signatures', () => {
  const signatures = [
    'sluice1.gemini.CiQBcsjafKhGyW0qN3RZmUdyTZdq/9y0sDo2s3UcO2hlY2s=', // padded base64, one '='
    'sluice1.gemini.Ci+/QUJD', // no padding needed
    'sluice1.gemini.QUI=',
    'sluice1.gemini.QQ==',
    'sluice1.gemini.unpadded+base64/QQ', // not canonical base64 length: carried byte for byte
    'sluice1.openai.c2lnLTE=',
    'an untagged signature with spaces, dots. and ünïcode',
  ];
  for (const signature of signatures) {
    it(`round-trips ${JSON.stringify(signature)} in an id Anthropic accepts`, () => {
      const id = idWithSignature('call_get_weather_abc_0', signature);
      expect(id).to.match(ANTHROPIC_ID);
      expect(splitSignature(id)).to.deep.equal({ id: 'call_get_weather_abc_0', signature });
      expect(bareId(id)).to.equal('call_get_weather_abc_0');
    });
  }

  it('leaves an id without a signature, and ids that only look like carriers, alone', () => {
    expect(idWithSignature('toolu_01', undefined)).to.equal('toolu_01');
    expect(splitSignature('toolu_01')).to.deep.equal({ id: 'toolu_01' });
    expect(splitSignature('x_sluicesig1_z???')).to.deep.equal({ id: 'x_sluicesig1_z???' });
  });

  it('the Anthropic and Responses decoders take the signature out of the ids, for the call and its result', () => {
    const carried = idWithSignature('call_f_0', 'sluice1.gemini.U0lH');
    const anthropic = untagRequest(anthropicMessages.decodeRequest(json({
      model: 'm', max_tokens: 5, messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: carried, name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: carried, content: 'ok' }] },
      ],
    }), 'm', false), 'anthropic');
    const responses = untagRequest(openaiResponses.decodeRequest(json({
      model: 'm', input: [
        { role: 'user', content: 'go' },
        { type: 'function_call', call_id: carried, name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: carried, output: 'ok' },
      ],
    }), 'm', false), 'openai');
    for (const request of [anthropic, responses] as IrRequest[]) {
      const parts = request.messages.flatMap((m) => m.parts);
      expect(parts.find((p) => p.type === 'tool_call')).to.deep.include({ id: 'call_f_0', signature: 'U0lH', signatureOrigin: 'gemini' });
      expect(parts.find((p) => p.type === 'tool_result')).to.deep.include({ callId: 'call_f_0', name: 'f' });
    }
  });
});

describe('translator: tool-call ids Anthropic accepts', () => {
  it('keeps a valid id and maps an invalid one deterministically, distinct ids staying distinct', () => {
    expect(anthropicToolId('toolu_01A-b')).to.equal('toolu_01A-b');
    const a = anthropicToolId('functions.get_weather:0');
    expect(a).to.match(ANTHROPIC_ID);
    expect(a).to.equal(anthropicToolId('functions.get_weather:0'));
    expect(a.startsWith('functions_get_weather_0_')).to.equal(true);
    expect(anthropicToolId('functions.get_weather:1')).to.not.equal(a);
    expect(anthropicToolId('functions_get_weather_0')).to.not.equal(a);
    expect(anthropicToolId('')).to.match(ANTHROPIC_ID);
    expect(anthropicToolId(`call ${'x'.repeat(500)}`).length).to.equal(64);
  });

  it('the Anthropic request encoder maps the call and its result alike', () => {
    const body = anthropicMessages.encodeRequest({
      model: 'claude', system: [], tools: [], stop: [], stream: false, dropped: [],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'functions.f:0', name: 'f', arguments: '{}' }] },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'functions.f:0', content: [{ type: 'text', text: 'ok' }], isError: false }] },
      ],
    });
    const [, assistant, user] = body['messages'] as { content: JsonObject[] }[];
    expect(assistant!.content[0]!['id']).to.match(ANTHROPIC_ID).and.equal(user!.content[0]!['tool_use_id']);
  });

  describe('on passthrough', () => {
    const anthropicBody = (id: string, thinking?: JsonObject) => json({
      model: 'm', max_tokens: 10, messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [...(thinking ? [thinking] : []), { type: 'tool_use', id, name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] },
      ],
    });
    const ids = (body: JsonObject) => (body['messages'] as { content: JsonObject[] | string }[])
      .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .map((b) => b['id'] ?? b['tool_use_id']).filter((x) => x !== undefined);

    it('leaves valid ids alone (no copy)', () => {
      expect(resolve('anthropic.messages', anthropicBody('toolu_01'))).to.equal(undefined);
      expect(resolve('openai.responses', json({ model: 'm', input: [{ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' }] }))).to.equal(undefined);
    });

    it('maps ids Anthropic rejects and cuts carried signatures off, alike for call and result', () => {
      const mapped = ids(resolve('anthropic.messages', anthropicBody('functions.f:0'))!);
      expect(mapped).to.deep.equal([anthropicToolId('functions.f:0'), anthropicToolId('functions.f:0')]);
      const carried = idWithSignature('call_f_0', 'sluice1.gemini.U0lH');
      expect(ids(resolve('anthropic.messages', anthropicBody(carried))!)).to.deep.equal(['call_f_0', 'call_f_0']);
      const input = [
        { type: 'function_call', call_id: carried, name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: carried, output: 'ok' },
      ];
      const out = resolve('openai.responses', json({ model: 'm', input }))!['input'] as JsonObject[];
      expect(out.map((i) => i['call_id'])).to.deep.equal(['call_f_0', 'call_f_0']);
    });

    it('leaves out thinking that came unsigned from another provider (signature "")', () => {
      const out = resolve('anthropic.messages', anthropicBody('toolu_01', { type: 'thinking', thinking: 'hmm', signature: '' }))!;
      expect((out['messages'] as { content: JsonObject[] }[])[1]!.content.map((b) => b['type'])).to.deep.equal(['tool_use']);
    });
  });
});

describe('translator: tool-call ids Mistral\'s models accept', () => {
  it('nine letters and digits, the same for the same id, kept when it fits; other Chat models keep OpenAI\'s rule', () => {
    for (const model of ['mistral-large-latest', 'mistralai/Mistral-Small-4-119B-2603', 'devstral-medium-latest', 'codestral-2508']) {
      const toolId = chatToolIdFor(model);
      expect(toolId('toolu_01A2b3'), model).to.match(/^[a-zA-Z0-9]{9}$/).and.equal(toolId('toolu_01A2b3'));
      expect(toolId('toolu_01A2b3')).not.to.equal(toolId('toolu_01A2b4'));
      expect(toolId('aB3xK9mP2')).to.equal('aB3xK9mP2');
    }
    expect(chatToolIdFor('gpt-5')('toolu_01A2b3')).to.equal('toolu_01A2b3');
    expect(chatToolIdFor('Qwen/Qwen3-Coder')('functions.read:0')).to.equal('functions.read:0');
  });
});
