// Anthropic `document` blocks with a text source (the SDK's `{type: 'document', source: {type:
// 'text'}}`, Claude Code's text files) reach every other provider as text: they have no document
// block, and the model must still read the document. Judged end to end: the Anthropic SDK through
// gateway A to gateway B's loopback over each upstream protocol, whose answer repeats what it read.
import { expect } from 'chai';
import type Anthropic from '@anthropic-ai/sdk';
import { anthropicClient, modelFor, startRig, type Rig } from '../helpers/translation-rig.js';

describe('translation: Anthropic text documents reach every provider', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(async () => { await rig.close(); });

  const document: Anthropic.DocumentBlockParam = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The sky is green today.' }, title: 'Weather report' };

  for (const protocol of ['openai.chat', 'openai.responses', 'gemini.generate'] as const) {
    it(`${protocol}: the document's title and text are read, as a message and as a tool result`, async () => {
      const client = anthropicClient(rig.a.url);
      const model = modelFor(protocol);
      const answer = await client.messages.create({ model, max_tokens: 200, messages: [{ role: 'user', content: [document, { type: 'text', text: 'What colour is the sky?' }] }] });
      const text = answer.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      expect(text).to.contain('Weather report').and.contain('The sky is green today.').and.contain('What colour is the sky?');

      const streamed = await client.messages.stream({
        model, max_tokens: 200,
        tools: [{ name: 'Read', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
        messages: [
          { role: 'user', content: 'read it' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_doc1', name: 'Read', input: { path: 'w.txt' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_doc1', content: [{ type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Wind from the west.' }] } } as never] }] },
        ],
      }).finalMessage();
      expect(streamed.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).to.contain('Wind from the west.');
    });
  }
});
