// Restore, as a DeltaTransform and over golden streams of all four protocols: placeholders cut at
// every character of a delta and the stream's bytes cut at every offset come back as the values;
// values land JSON-escaped in tool arguments; only the few characters of a possible placeholder wait.
import { expect } from 'chai';
import { decodeSse, transformResponseBody, transformStream, type Channel, type JsonObject, type StreamEvent } from '../../../core/index.js';
import { PlaceholderMap } from '../../../plugins/firewall/placeholders.js';
import { restorePlaceholders, restoreTransform } from '../../../plugins/firewall/restore.js';
import { config, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { goldenStream, parseSse, splitArguments, splitDelta, streamedArguments, streamedText, type GenProtocol } from './chain-helpers.js';

const PROTOCOLS: GenProtocol[] = ['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate'];
const TEXT: Channel = { kind: 'text', format: 'text', key: '0:text:0', choice: 0, index: 0 };
const ARGS: Channel = { kind: 'tool_arguments', format: 'json', key: '0:tool:0', choice: 0, index: 0 };

const EMAIL = 'ann.lee@corp-mail.io';
/** A value that needs escaping inside a JSON string. */
const TRICKY = 'pa"ss\\wörd\n🙂';

function mapOf(...entries: [string, string][]): PlaceholderMap {
  const map = new PlaceholderMap();
  for (const [type, value] of entries) map.placeholderFor(type, value);
  return map;
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}
async function* replay(events: readonly StreamEvent[]): AsyncGenerator<StreamEvent> { yield* events.map((e) => structuredClone(e)); }

describe('firewall restore transform', () => {
  const map = mapOf(['EMAIL_ADDRESS', EMAIL], ['SECRET', TRICKY], ['EMAIL_ADDRESS', 'b@c.io']);

  it('numbers per type and holds each value once', () => {
    expect([...map.values.keys()]).to.deep.equal(['[EMAIL_ADDRESS_1]', '[SECRET_1]', '[EMAIL_ADDRESS_2]']);
    expect(map.placeholderFor('EMAIL_ADDRESS', EMAIL)).to.equal('[EMAIL_ADDRESS_1]');
  });

  it('replaces known placeholders, leaves unknown ones and look-alikes', () => {
    expect(restorePlaceholders('to [EMAIL_ADDRESS_1], [EMAIL_ADDRESS_9], [x] [EMAIL_ADDRESS_2]', map, false))
      .to.equal(`to ${EMAIL}, [EMAIL_ADDRESS_9], [x] b@c.io`);
    expect(restorePlaceholders('[[EMAIL_ADDRESS_1]]', map, false)).to.equal(`[${EMAIL}]`);
  });

  it('a text placeholder cut at every pair of positions comes back whole', () => {
    const text = `write [EMAIL_ADDRESS_1] and [SECRET_1]; [EMAIL_ADDRESS_2]!`;
    const expected = `write ${EMAIL} and ${TRICKY}; b@c.io!`;
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const t = restoreTransform(map);
        const out = t.delta(TEXT, text.slice(0, i)) + t.delta(TEXT, text.slice(i, j)) + t.delta(TEXT, text.slice(j)) + t.end(TEXT);
        expect(out, `cut at ${i}, ${j}`).to.equal(expected);
      }
    }
  });

  it('one character per delta, in JSON arguments: values JSON-escaped, the JSON valid', () => {
    const args = JSON.stringify({ to: '[EMAIL_ADDRESS_1]', pw: 'x [SECRET_1] y' });
    const t = restoreTransform(map);
    let out = '';
    for (const ch of args) out += t.delta(ARGS, ch);
    out += t.end(ARGS);
    expect(JSON.parse(out)).to.deep.equal({ to: EMAIL, pw: `x ${TRICKY} y` });
  });

  it('holds back only what could still become a placeholder', () => {
    const t = restoreTransform(map);
    expect(t.delta(TEXT, 'plain text ')).to.equal('plain text ');
    expect(t.delta(TEXT, 'see [EMAIL_ADD')).to.equal('see ');
    expect(t.delta(TEXT, 'RESS_1] ok [a')).to.equal(`${EMAIL} ok [a`); // "[a" cannot start a placeholder
    expect(t.delta(TEXT, 'list [1, 2]')).to.equal('list [1, 2]');
    expect(t.delta(TEXT, ' [EMAIL_ADDRESS_7')).to.equal(' [EMAIL_ADDRESS_7'); // no known placeholder starts so
    expect(t.delta(TEXT, '] [EMAIL_ADDRESS_1')).to.equal('] '); // …but [EMAIL_ADDRESS_1] might follow
    expect(t.delta(TEXT, '2]')).to.equal('[EMAIL_ADDRESS_12]'); // it did not
    expect(t.delta(TEXT, 'tail [SEC')).to.equal('tail ');
    expect(t.end(TEXT)).to.equal('[SEC'); // an unfinished placeholder is left as the model wrote it
  });

  it('JSON bodies: Anthropic tool_use.input and Gemini functionCall.args objects', () => {
    const anthropic: JsonObject = { content: [{ type: 'text', text: 'mail [EMAIL_ADDRESS_1]' }, { type: 'tool_use', id: 'toolu_1', name: 'send', input: { to: '[EMAIL_ADDRESS_1]', pw: '[SECRET_1]' } }] };
    transformResponseBody({ family: 'anthropic', operation: 'messages' }, anthropic, restoreTransform(map));
    expect(anthropic).to.deep.equal({ content: [{ type: 'text', text: `mail ${EMAIL}` }, { type: 'tool_use', id: 'toolu_1', name: 'send', input: { to: EMAIL, pw: TRICKY } }] });
    const gemini: JsonObject = { candidates: [{ index: 0, content: { role: 'model', parts: [{ functionCall: { name: 'send', args: { to: ['[EMAIL_ADDRESS_2]'] } } }] } }] };
    transformResponseBody({ family: 'gemini', operation: 'generate' }, gemini, restoreTransform(map));
    expect(gemini).to.deep.equal({ candidates: [{ index: 0, content: { role: 'model', parts: [{ functionCall: { name: 'send', args: { to: ['b@c.io'] } } }] } }] });
  });

  describe('golden streams of every protocol (rendered by the loopback model)', () => {
    let b: TestGateway;
    before(async () => { b = await startGateway(config()); });
    after(async () => { await b.close(); });

    const streamMap = mapOf(['EMAIL_ADDRESS', EMAIL], ['SECRET', TRICKY]);
    const prompt = 'tell [EMAIL_ADDRESS_1] that [SECRET_1] works';
    const toolPrompt = `[[tool:lookup {"city":"[EMAIL_ADDRESS_1]","note":"pw [SECRET_1] ok"}]]`;
    const restored = `Loopback reply. You said: tell ${EMAIL} that ${TRICKY} works`;

    for (const p of PROTOCOLS) {
      it(`${p}: the SSE bytes cut at every offset`, async () => {
        const bytes = Buffer.from(await goldenStream(b.url, p, prompt));
        for (let cut = 0; cut <= bytes.length; cut++) {
          // Cut as bytes (a multi-byte character may be split): the real decoder reassembles them.
          async function* chunks() { yield bytes.subarray(0, cut); yield bytes.subarray(cut); }
          const events: StreamEvent[] = [];
          for await (const ev of decodeSse(chunks())) events.push(ev);
          const out = await collect(transformStream(protocolOf(p), replay(events), restoreTransform(streamMap)));
          expect(streamedText(p, out), `cut at byte ${cut}`).to.equal(restored);
        }
      });

      it(`${p}: a text placeholder cut at every character of its delta`, async () => {
        const golden = await parseSse(await goldenStream(b.url, p, prompt));
        for (const needle of ['[EMAIL_ADDRESS_1]', '[SECRET_1]']) {
          for (let at = 0; at <= needle.length; at++) {
            const out = await collect(transformStream(protocolOf(p), replay(splitDelta(p, golden, needle, at)), restoreTransform(streamMap)));
            expect(streamedText(p, out), `${needle} cut at ${at}`).to.equal(restored);
          }
        }
      });

      it(`${p}: streamed tool arguments cut at every character, values JSON-escaped`, async () => {
        const golden = await parseSse(await goldenStream(b.url, p, toolPrompt, { tools: true }));
        const whole = streamedArguments(p, golden);
        expect(JSON.parse(whole)).to.deep.equal({ city: '[EMAIL_ADDRESS_1]', note: 'pw [SECRET_1] ok' });
        for (let at = 0; at <= whole.length; at++) {
          const out = await collect(transformStream(protocolOf(p), replay(splitArguments(p, golden, at)), restoreTransform(streamMap)));
          expect(JSON.parse(streamedArguments(p, out)), `cut at ${at}`).to.deep.equal({ city: EMAIL, note: `pw ${TRICKY} ok` });
          if (p === 'gemini.generate') break; // arguments come whole: one case
        }
      });

      it(`${p}: JSON answer, text and tool call`, async () => {
        const text = JSON.parse(await goldenStream(b.url, p, prompt, { stream: false })) as JsonObject;
        transformResponseBody(protocolOf(p), text, restoreTransform(streamMap));
        expect(JSON.stringify(text)).to.contain(JSON.stringify(restored).slice(1, -1));
        const tool = JSON.parse(await goldenStream(b.url, p, toolPrompt, { tools: true, stream: false })) as JsonObject;
        transformResponseBody(protocolOf(p), tool, restoreTransform(streamMap));
        const serialised = JSON.stringify(tool);
        expect(serialised).not.to.contain('[EMAIL_ADDRESS_1]');
        expect(serialised).to.contain(JSON.stringify(EMAIL).slice(1, -1));
      });
    }
  });
});

function protocolOf(p: GenProtocol): { family: 'openai' | 'anthropic' | 'gemini'; operation: 'chat' | 'responses' | 'messages' | 'generate' } {
  const [family, operation] = p.split('.') as ['openai' | 'anthropic' | 'gemini', 'chat' | 'responses' | 'messages' | 'generate'];
  return { family, operation };
}
