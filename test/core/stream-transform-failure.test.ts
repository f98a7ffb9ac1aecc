// A stream transform (transformStream) whose stream fails: text the transform holds is the end of its
// channel when the source throws, and goes out (through the transform's `end`) before the error; but
// when the transform itself threw (an output block), what it held was never judged whole and stays held.
import { expect } from 'chai';
import { transformStream, type DeltaTransform, type Protocol, type StreamEvent } from '../../core/index.js';

/** Holds every delta until `end`, which marks what it gives back; throws on a delta containing "BLOCK". */
const holdAll = (): DeltaTransform => {
  const held = new Map<string, string>();
  return {
    delta(ch, text) {
      if (text.includes('BLOCK')) throw new Error('blocked by the transform');
      held.set(ch.key, (held.get(ch.key) ?? '') + text);
      return '';
    },
    end(ch) {
      const text = held.get(ch.key) ?? '';
      held.delete(ch.key);
      return text ? `<${text}>` : '';
    },
  };
};

const STREAMS: Record<string, { protocol: Protocol; delta: (text: string, i: number) => StreamEvent; text: (ev: StreamEvent) => string }> = {
  'openai.chat': {
    protocol: { family: 'openai', operation: 'chat' },
    delta: (text) => ({ data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] } }),
    text: (ev) => ((ev.data as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? ''),
  },
  'openai.responses': {
    protocol: { family: 'openai', operation: 'responses' },
    delta: (text, i) => ({ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: text, sequence_number: i } }),
    text: (ev) => ((ev.data as { type?: string; delta?: string }).type === 'response.output_text.delta' ? (ev.data as { delta: string }).delta : ''),
  },
  'anthropic.messages': {
    protocol: { family: 'anthropic', operation: 'messages' },
    delta: (text) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } }),
    text: (ev) => ((ev.data as { type?: string; delta?: { text?: string } }).type === 'content_block_delta' ? (ev.data as { delta: { text: string } }).delta.text : ''),
  },
};

const START: Record<string, StreamEvent[]> = {
  'openai.chat': [],
  'openai.responses': [],
  'anthropic.messages': [{ event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } }],
};

async function run(name: string, pieces: string[], failWith: Error | undefined): Promise<{ texts: string[]; error: unknown }> {
  const s = STREAMS[name]!;
  async function* source(): AsyncGenerator<StreamEvent> {
    yield* START[name]!;
    for (const [i, p] of pieces.entries()) yield s.delta(p, i + 1);
    if (failWith) throw failWith;
  }
  const texts: string[] = [];
  let error: unknown;
  try {
    for await (const ev of transformStream(s.protocol, source(), holdAll())) texts.push(s.text(ev));
  } catch (err) { error = err; }
  return { texts: texts.filter((t) => t !== ''), error };
}

describe('stream transforms when the stream fails', () => {
  for (const name of Object.keys(STREAMS)) {
    it(`${name}: the source failing sends what the transform held, through its end, before the error`, async () => {
      const { texts, error } = await run(name, ['one ', 'two'], new Error('upstream reset'));
      expect(texts).to.deep.equal(['<one two>']);
      expect((error as Error).message).to.equal('upstream reset');
    });

    it(`${name}: the transform itself throwing leaves what it held unsent`, async () => {
      const { texts, error } = await run(name, ['half a val', 'ue BLOCK'], undefined);
      expect(texts).to.deep.equal([]);
      expect((error as Error).message).to.equal('blocked by the transform');
    });
  }
});
