import { expect } from 'chai';
import type { IrRequest } from '../../../plugins/translator/ir.js';
import { signaturesFor, tagResponse, tagSignature, untagRequest } from '../../../plugins/translator/signatures.js';
import { anthropicMessages } from '../../../plugins/translator/protocols/anthropic/index.js';
import { openaiResponses } from '../../../plugins/translator/protocols/responses/index.js';
import { emptyUsage } from '../../../core/index.js';

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
