// Restore when the model does not write a placeholder exactly as it was given: changed case,
// markdown-escaped (`\[EMAIL\_ADDRESS\_1\]`), spaces for underscores inside the brackets, brackets
// dropped — in text and in JSON, whole and cut at every position of a stream; and what is NOT
// restored because it is not clearly our placeholder.
import { expect } from 'chai';
import { decodeSse, transformStream, type Channel, type StreamEvent } from '../../../core/index.js';
import { PlaceholderMap, placeholderLiterals } from '../../../plugins/firewall/placeholders.js';
import { restorePlaceholders, restoreTransform } from '../../../plugins/firewall/restore.js';
import { config, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { goldenStream, streamedText, type GenProtocol } from './chain-helpers.js';

const TEXT: Channel = { kind: 'text', format: 'text', key: '0:text:0', choice: 0, index: 0 };
const ARGS: Channel = { kind: 'tool_arguments', format: 'json', key: '0:tool:0', choice: 0, index: 0 };
const EMAIL = 'ann.lee@corp-mail.io';
const KEY = 'AKIAZ3MJQX7TNVB4KWPQ';

function mapOf(): PlaceholderMap {
  const map = new PlaceholderMap();
  map.placeholderFor('EMAIL_ADDRESS', EMAIL);
  map.placeholderFor('AWS_ACCESS_KEY_ID', KEY);
  return map;
}

/** Every way a text can reach the transform: whole, and cut at every pair of positions. */
function throughStream(text: string, channel: Channel, map: () => PlaceholderMap = mapOf): string[] {
  const outs: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    for (let j = i; j <= text.length; j++) {
      const t = restoreTransform(map());
      outs.push(t.delta(channel, text.slice(0, i)) + t.delta(channel, text.slice(i, j)) + t.delta(channel, text.slice(j)) + t.end(channel));
    }
  }
  return outs;
}

describe('firewall restore: placeholders the model altered', () => {
  const restored: [string, string][] = [
    ['[email_address_1]', EMAIL],
    ['[Email_Address_1]', EMAIL],
    ['\\[EMAIL\\_ADDRESS\\_1\\]', EMAIL],
    ['[EMAIL\\_ADDRESS\\_1]', EMAIL],
    ['\\[EMAIL_ADDRESS_1\\]', EMAIL],
    ['[EMAIL ADDRESS 1]', EMAIL],
    ['[Email Address 1]', EMAIL],
    ['[EMAIL-ADDRESS-1]', EMAIL],
    ['EMAIL_ADDRESS_1', EMAIL],
    ['EMAIL\\_ADDRESS\\_1', EMAIL],
    ['AWS_ACCESS_KEY_ID_1', KEY],
    ['[aws access key id 1]', KEY],
  ];
  for (const [form, value] of restored) {
    it(`restores ${form}, whole and cut anywhere in a stream`, () => {
      const text = `to: ${form}, then "${form}".`;
      const expected = `to: ${value}, then "${value}".`;
      expect(restorePlaceholders(text, mapOf(), false)).to.equal(expected);
      for (const out of throughStream(text, TEXT)) expect(out).to.equal(expected);
    });
  }

  const kept = [
    'MY_EMAIL_ADDRESS_1', 'EMAIL_ADDRESS_12', 'EMAIL_ADDRESS_1_OLD', 'EMAIL_ADDRESS_1x', // part of a longer word or number
    'email_address_1', 'Email_Address_1', // bare and not upper case: a variable's name, not our text
    '[EMAIL_ADDRESS_2]', 'EMAIL_ADDRESS_2', '[EMAIL ADDRESS 9]', // numbers this request did not give out
    '[EMAIL ADDRESS 1 ]', '[ email_address_1]', '[EMAIL__ADDRESS_1]', '[EMAIL ADDRESS1]', '[EMAILADDRESS_1]', // not the placeholder's words
    '(EMAIL ADDRESS 1)', 'EMAIL ADDRESS 1', // spaces only count between brackets
  ];
  for (const form of kept) {
    it(`leaves ${form} as written`, () => {
      const text = `x ${form} y`;
      expect(restorePlaceholders(text, mapOf(), false)).to.equal(text);
      for (const out of throughStream(text, TEXT)) expect(out).to.equal(text);
    });
  }

  it('a bare placeholder at the very end of a stream is restored when the stream ends', () => {
    const t = restoreTransform(mapOf());
    expect(t.delta(TEXT, 'send to EMAIL_ADDRESS_1')).to.equal('send to ');
    expect(t.end(TEXT)).to.equal(EMAIL);
  });

  it('in JSON (tool arguments): altered forms restored JSON-escaped, also after a JSON escape', () => {
    const map = (): PlaceholderMap => { const m = new PlaceholderMap(); m.placeholderFor('SECRET', 'pa"ss\\w\n'); return m; };
    const args = JSON.stringify({ a: '[secret_1]', b: 'line\nSECRET_1', c: '\tSECRET_1', d: '[Secret 1]', e: 'SECRET_1' });
    const value = 'pa"ss\\w\n';
    for (const out of throughStream(args, ARGS, map)) {
      expect(JSON.parse(out)).to.deep.equal({ a: value, b: `line\n${value}`, c: `\t${value}`, d: value, e: value });
    }
  });

  it('the client\'s own text in an altered form is never given out as a placeholder', () => {
    const literals = placeholderLiterals(['see [email_address_1] and \\[EMAIL\\_ADDRESS\\_2\\]', 'const EMAIL_ADDRESS_3 = 1', 'email_address_4 [x]']);
    expect([...literals ?? []].filter((l) => l.startsWith('[EMAIL')).sort()).to.deep.equal(['[EMAIL_ADDRESS_1]', '[EMAIL_ADDRESS_2]', '[EMAIL_ADDRESS_3]']);
    const map = new PlaceholderMap('sequential', literals);
    expect(map.placeholderFor('EMAIL_ADDRESS', EMAIL)).to.equal('[EMAIL_ADDRESS_4]');
  });

  describe('golden streams of every protocol, the SSE bytes cut at every offset', () => {
    let b: TestGateway;
    before(async () => { b = await startGateway(config()); });
    after(async () => { await b.close(); });
    const PROTOCOLS: GenProtocol[] = ['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate'];
    const prompt = 'mail \\[EMAIL\\_ADDRESS\\_1\\] or [Email Address 1] with AWS_ACCESS_KEY_ID_1';
    const expected = `Loopback reply. You said: mail ${EMAIL} or ${EMAIL} with ${KEY}`;
    for (const p of PROTOCOLS) {
      it(p, async () => {
        const bytes = Buffer.from(await goldenStream(b.url, p, prompt));
        const protocol = { family: p.split('.')[0], operation: p.split('.')[1] } as Parameters<typeof transformStream>[0];
        for (let cut = 0; cut <= bytes.length; cut++) {
          async function* chunks() { yield bytes.subarray(0, cut); yield bytes.subarray(cut); }
          const events: StreamEvent[] = [];
          for await (const ev of transformStream(protocol, decodeSse(chunks()), restoreTransform(mapOf()))) events.push(ev);
          expect(streamedText(p, events), `cut at byte ${cut}`).to.equal(expected);
        }
      });
    }
  });
});
