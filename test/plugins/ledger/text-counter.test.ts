// The tokenizer thread's count of one text (count/text-counter.ts): gpt-tokenizer's own countTokens,
// figure for figure, whether through its internals (the direct count) or its API.
import { expect } from 'chai';
import { textCounter, type Encoder } from '../../../plugins/ledger/count/text-counter.js';

const PLAIN = { disallowedSpecial: new Set<string>() };

/** Texts that stop mid-word, mix scripts, digits, spaces and newlines, spell special tokens, or are empty. */
const TEXTS = [
  'hello world', 'Hello, World!  It\'s 2026-12-06 — 12,345.67 tokens?', 'Ünïcödé façade naïve 日本語のテキスト 한국어 текст',
  '  leading and trailing  \n\n\t', 'code: `const x = a?.b ?? 42;` // done', '<|endoftext|> and <|im_start|> as plain text', '',
  '🙂🙂 emoji👩‍💻 mixed', 'x'.repeat(300), 'The load balancer spreads requests. '.repeat(12), 'abc', "don't won't I'll we've",
  '\ud83d lone surrogates \udc00 in text', 'Supercalifragilisticexpialidocious antidisestablishmentarianism', '\r\n\r\n  \u00a0\u3000 ',
  '<|endoftext|>', 'a<|fim_prefix|>b<|endofprompt|>c', '1234567890123 0.000001 1e-9', 'αβγ δεζ ηθι', 'ＡＢＣ　全角',
];

describe('ledger: the tokenizer thread\'s count of a text', () => {
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    it(`${name}: the direct count (gpt-tokenizer's split, ranks and merges, without its matchAll) gives countTokens' figures`, async () => {
      const encoder = ((await import(`gpt-tokenizer/encoding/${name}`)) as { default: Encoder }).default; // as count-worker.ts loads it
      const counter = textCounter(encoder);
      // The installed gpt-tokenizer has the internals used; another version without them falls back to countTokens (below).
      expect(counter.direct).to.equal(true);
      // Twice, in two orders: the copy of the split pattern must start each text afresh.
      for (const order of [TEXTS, [...TEXTS].reverse()]) {
        expect(order.map((t) => counter.count(t))).to.deep.equal(order.map((t) => encoder.countTokens(t, PLAIN)));
      }
      // New texts, as a gateway's traffic has them (user messages, answers): each counted once.
      const many = Array.from({ length: 300 }, (_, i) => `Question ${i}: why does ${'ab'.repeat(i % 7)}c${i * 7919} cost ${i / 3} tokens? Réponse n°${i}.`);
      expect(many.map((t) => counter.count(t))).to.deep.equal(many.map((t) => encoder.countTokens(t, PLAIN)));
    });
  }

  it('splits a text into the pieces matchAll gives, where the pattern skips characters or matches empty', () => {
    const patterns = [/[a-z]+|\d/gu, /a*/gu, /a*/g, /\p{L}+|\s+/gu, /(?:)/gu, /x|$/g];
    const texts = ['', 'abc 12 def!', 'aaXbaa', '🙂a🙂aa', '\ud83d\ude42', 'xyz', 'mixed Ünï 日本 🙂 42'];
    for (const pattern of patterns) {
      for (const text of texts) {
        const pieces: string[] = [];
        const core = { tokenSplitRegex: pattern, getBpeRankFromString: (p: string) => { pieces.push(p); return 0; }, bytePairEncode: () => [] };
        const counter = textCounter(Object.assign({ bytePairEncodingCoreProcessor: core }, { countTokens: () => -1 }));
        expect(counter.direct).to.equal(true);
        expect(counter.count(text), `${pattern} on ${JSON.stringify(text)}`).to.equal([...text.matchAll(pattern)].length);
        expect(pieces, `${pattern} on ${JSON.stringify(text)}`).to.deep.equal([...text.matchAll(pattern)].map((m) => m[0]));
      }
    }
  });

  it('an encoding without the internals the direct count uses is counted by its countTokens', () => {
    const asked: string[] = [];
    const encoder: Encoder = { countTokens: (text, options) => { asked.push(text); expect(options?.disallowedSpecial?.size).to.equal(0); return text.length; } };
    const counter = textCounter(encoder);
    expect(counter.direct).to.equal(false);
    expect(counter.count('four')).to.equal(4);
    expect(asked).to.deep.equal(['four']);
    // Internals of another shape (no split pattern): the same.
    const other = Object.assign({ bytePairEncodingCoreProcessor: { getBpeRankFromString: () => 1 } }, encoder);
    expect(textCounter(other).direct).to.equal(false);
    // A split pattern that is not global, or is sticky (matchAll would not take the one, the copies could not be made of the other).
    const parts = { getBpeRankFromString: () => 1, bytePairEncode: () => [] };
    for (const tokenSplitRegex of [/\w+/u, /\w+/gy]) {
      expect(textCounter(Object.assign({ bytePairEncodingCoreProcessor: { ...parts, tokenSplitRegex } }, encoder)).direct, String(tokenSplitRegex)).to.equal(false);
    }
  });
});
