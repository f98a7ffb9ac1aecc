import { expect } from 'chai';
import type { IrRequest } from '../../../plugins/translator/ir.js';
import { mayNeedResolving, resolvePassthroughSignatures } from '../../../plugins/translator/passthrough-signatures.js';
import { signaturesFor, tagResponse, tagSignature, untagRequest } from '../../../plugins/translator/signatures.js';
import { anthropicToolId } from '../../../plugins/translator/tool-call-ids.js';
import { anthropicMessages } from '../../../plugins/translator/protocols/anthropic/index.js';
import { openaiResponses } from '../../../plugins/translator/protocols/responses/index.js';
import { createRequestView, emptyUsage, parseProtocolName, type JsonObject, type ProtocolName } from '../../../core/index.js';

/** Resolves through core's view of the body, as the translator does with the exchange's. */
const resolve = (name: ProtocolName, body: JsonObject) => resolvePassthroughSignatures(createRequestView(parseProtocolName(name), body));

function withThinking(signature: string): IrRequest {
  return {
    model: 'm', system: [], tools: [], stop: [], stream: false, dropped: [],
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', parts: [{ type: 'thinking', text: 'plan', signature }, { type: 'text', text: 'ok' }] },
      { role: 'user', parts: [{ type: 'text', text: 'go on' }] },
    ],
  };
}

describe('translator: reasoning signatures only go back to the family that issued them', () => {
  it('tags a signature handed to a client of another family, and not one of the same family', () => {
    expect(tagSignature('abc', 'anthropic', 'openai')).to.equal('sluice1.anthropic.abc');
    expect(tagSignature('abc', 'openai', 'openai')).to.equal('abc');
    const response = tagResponse({ id: 'r', model: 'm', stopReason: 'end_turn', usage: emptyUsage(), parts: [{ type: 'thinking', text: 't', signature: 'S' }] }, 'gemini', 'anthropic');
    expect(response.parts[0]).to.deep.include({ signature: 'sluice1.gemini.S' });
  });

  it('sends a tagged signature, untagged, to its own family', () => {
    const ir = untagRequest(withThinking('sluice1.anthropic.SIG'), 'openai');
    const body = anthropicMessages.encodeRequest(signaturesFor(ir, 'anthropic'));
    expect(JSON.stringify(body)).to.include('"signature":"SIG"');
    expect(JSON.stringify(body)).to.not.include('sluice1.');
  });

  it('keeps a signature from the client\'s own family (e.g. an OpenAI fallback history) away from another family', () => {
    // A Responses client whose earlier turn was served by OpenAI directly: untagged encrypted_content.
    const ir = untagRequest(withThinking('gAAAAB-openai-encrypted'), 'openai');
    const toAnthropic = JSON.stringify(anthropicMessages.encodeRequest(signaturesFor(ir, 'anthropic')));
    expect(toAnthropic).to.not.include('gAAAAB-openai-encrypted');
    const toOpenAI = JSON.stringify(openaiResponses.encodeRequest(signaturesFor(ir, 'openai')));
    expect(toOpenAI).to.include('"encrypted_content":"gAAAAB-openai-encrypted"');
  });

  it('leaves an unknown prefix alone (it is the client family\'s own opaque value)', () => {
    const ir = untagRequest(withThinking('sluice1.nonsense.X'), 'anthropic');
    expect(JSON.stringify(anthropicMessages.encodeRequest(signaturesFor(ir, 'anthropic')))).to.include('"signature":"sluice1.nonsense.X"');
  });
});

describe('translator: tagged signatures on passthrough requests', () => {
  const json = (v: unknown) => v as JsonObject;
  const anthropicBody = (signature: string) => json({
    model: 'm', max_tokens: 10, messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'plan', signature }, { type: 'text', text: 'ok' }] },
      { role: 'user', content: 'go on' },
    ],
  });

  it('leaves an untagged body alone (no copy)', () => {
    expect(resolve('anthropic.messages', anthropicBody('SIG'))).to.equal(undefined);
  });

  it('unwraps a signature of the upstream\'s own family and drops reasoning signed elsewhere', () => {
    const own = resolve('anthropic.messages', anthropicBody('sluice1.anthropic.SIG'))!;
    expect(JSON.stringify(own)).to.include('"signature":"SIG"').and.not.include('sluice1.');
    const foreign = resolve('anthropic.messages', anthropicBody('sluice1.openai.SIG'))!;
    expect((foreign['messages'] as { content: unknown[] }[])[1]!.content).to.deep.equal([{ type: 'text', text: 'ok' }]);
  });

  it('drops reasoning whose text a client was not shown (it rides in the signature: hidden-reasoning.ts)', () => {
    const hidden = resolve('anthropic.messages', anthropicBody('sluice-text1:cGxhbg:sluice1.openai.SIG'))!;
    expect((hidden['messages'] as { content: unknown[] }[])[1]!.content).to.deep.equal([{ type: 'text', text: 'ok' }]);
    const input = [{ type: 'reasoning', summary: [], encrypted_content: 'sluice-text1:cGxhbg:' }, { type: 'message', role: 'user', content: 'go' }];
    expect(resolve('openai.responses', json({ model: 'm', input }))!['input']).to.deep.equal([input[1]]);
  });

  it('takes a Gemini client\'s hidden reasoning (on the signature of the part after it) off that part: a Gemini upstream cannot check it', () => {
    const contents = [{ role: 'model', parts: [{ text: 'ok', thoughtSignature: 'sluice-text1:cGxhbg:' }, { functionCall: { name: 'f', args: {} }, thoughtSignature: 'sluice-text1:cGxhbg:sluice1.anthropic.S' }, { text: '', thoughtSignature: 'sluice-text1:cGxhbg:' }] }];
    expect(mayNeedResolving('gemini.generate', Buffer.from(JSON.stringify({ contents })))).to.equal(true);
    const out = resolve('gemini.generate', json({ contents }))!;
    expect((out['contents'] as { parts: unknown[] }[])[0]!.parts).to.deep.equal([
      { text: 'ok' },
      { functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
    ]);
    // No tag inside (a Chat server's reasoning has no signature): the bytes still say to walk the body.
    expect(mayNeedResolving('gemini.generate', Buffer.from('{"contents":[{"parts":[{"text":"","thoughtSignature":"sluice-text1:cGxhbg:"}]}]}'))).to.equal(true);
  });

  it('drops a Responses reasoning item carrying Anthropic redacted thinking (sluice-redacted:…): OpenAI cannot read it', () => {
    const input = [{ type: 'reasoning', summary: [], encrypted_content: 'sluice-redacted:EqQBCgIYAhIM' }, { type: 'message', role: 'user', content: 'go' }];
    expect(resolve('openai.responses', json({ model: 'm', input }))?.['input']).to.deep.equal([input[1]]);
  });

  it('handles Responses reasoning items and Gemini parts the same way', () => {
    const input = [{ type: 'reasoning', summary: [], encrypted_content: 'sluice1.anthropic.X' }, { type: 'message', role: 'user', content: 'go' }];
    expect(resolve('openai.responses', json({ model: 'm', input }))!['input']).to.deep.equal([input[1]]);
    const contents = [{ role: 'model', parts: [{ text: 't', thought: true, thoughtSignature: 'sluice1.openai.S' }, { functionCall: { name: 'f', args: {} }, thoughtSignature: 'sluice1.anthropic.S' }, { text: 'x', thoughtSignature: 'sluice1.gemini.G' }] }];
    const out = resolve('gemini.generate', json({ contents }))!;
    expect((out['contents'] as { parts: unknown[] }[])[0]!.parts).to.deep.equal([
      { functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
      { text: 'x', thoughtSignature: 'G' },
    ]);
  });
});

describe('translator: passthrough resolution copies, never changes, the client\'s body', () => {
  it('removes several entries of one list and maps ids beside them; the body it was given stays as it came', () => {
    const body = {
      model: 'm', max_tokens: 10, messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: 'a', signature: 'sluice1.openai.A' },
          { type: 'text', text: 'ok' },
          { type: 'thinking', thinking: 'b', signature: '' },
          { type: 'thinking', thinking: 'c', signature: 'sluice1.anthropic.C' },
          { type: 'tool_use', id: 'functions.f:0', name: 'f', input: {} },
        ] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'functions.f:0', content: 'done' }] },
      ],
    };
    const before = structuredClone(body);
    const out = resolve('anthropic.messages', body as unknown as JsonObject)!;
    expect(body).to.deep.equal(before);
    const id = anthropicToolId('functions.f:0');
    expect(out['messages']).to.deep.equal([
      before.messages[0],
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }, { type: 'thinking', thinking: 'c', signature: 'C' }, { type: 'tool_use', id, name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'done' }] },
    ]);
    expect((out['messages'] as unknown[])[0]).to.equal(body.messages[0]); // untouched entries are shared, not copied
  });
});

describe('translator: passthrough bodies that cannot hold a tag are not walked', () => {
  it('walks Chat and Gemini bodies only when their bytes could spell a tag, and Anthropic and Responses always', () => {
    const b = (s: string) => Buffer.from(s);
    expect(mayNeedResolving('openai.chat', b('{"model":"m","messages":[{"role":"user","content":"hi"}]}'))).to.equal(false);
    expect(mayNeedResolving('gemini.generate', b('{"contents":[]}'))).to.equal(false);
    expect(mayNeedResolving('openai.chat', b('{"messages":[{"reasoning_details":[{"signature":"sluice1.openai.x"}]}]}'))).to.equal(true);
    expect(mayNeedResolving('openai.chat', b('{"s":"\\u0073luice1.openai.x"}'))).to.equal(true); // an escape could spell it
    expect(mayNeedResolving('openai.chat', undefined)).to.equal(true); // a plugin changed the body: walk it
    expect(mayNeedResolving('anthropic.messages', b('{}'))).to.equal(true);
    expect(mayNeedResolving('openai.responses', b('{}'))).to.equal(true);
  });
});
