// The conversations' prompt memo: counts are reused only for segments equal, position by position,
// to the ones counted; the rest of the prompt is left to the tokenizer; memory stays bounded.
import { expect } from 'chai';
import { PromptMemo } from '../../../plugins/ledger/count/prompt-memo.js';

const turn = (segments: string[], counts: number[], encoding: 'o200k_base' | 'cl100k_base' = 'o200k_base') =>
  ({ encoding, segments, counts, chars: segments.reduce((n, s) => n + s.length, 0) });
/** Equal text, another string object (as a new request's JSON.parse makes it). */
const fresh = (s: string) => JSON.parse(JSON.stringify(s)) as string;

describe('ledger: the conversations\' prompt memo', () => {
  const system = 'You are a careful assistant. '.repeat(5);

  it('reuses the counts of the leading segments a new turn resends, up to the first that differs', () => {
    const memo = new PromptMemo(1_000_000, 100);
    memo.remember(turn([system, 'first question', 'first answer'], [30, 3, 2]));
    const next = [system, 'first question', 'first answer', 'second question'].map(fresh);
    expect(memo.reuse(next, 'o200k_base')).to.deep.include({ segments: 3, tokens: 35 });
    // An edited earlier message: only what comes before it is reused.
    expect(memo.reuse([system, 'first question', 'an edited answer', 'second question'].map(fresh), 'o200k_base')).to.deep.include({ segments: 2, tokens: 33 });
    // A prompt shorter than the turn (the client dropped the tail): its segments that match.
    expect(memo.reuse([system, 'first question'].map(fresh), 'o200k_base')).to.deep.include({ segments: 2, tokens: 33 });
  });

  it('reuses nothing across encodings or for another conversation, even one whose key collides', () => {
    const memo = new PromptMemo(1_000_000, 100);
    memo.remember(turn([system, 'first question', 'first answer'], [30, 3, 2]));
    expect(memo.reuse([system, 'first question', 'first answer'], 'cl100k_base')).to.equal(undefined);
    expect(memo.reuse([system, 'another question'], 'o200k_base')).to.equal(undefined);
    // Same lengths and heads of the first two segments (the key), different text after the head: compared, not trusted.
    const long = 'x'.repeat(60);
    memo.remember(turn([system, `${long}a`, 'tail'], [30, 8, 1]));
    expect(memo.reuse([system, `${long}b`, 'tail'], 'o200k_base')).to.deep.include({ segments: 1, tokens: 30 });
  });

  it('keeps at most its characters and conversations, dropping the oldest; a prompt larger than the whole memo is not kept', () => {
    const memo = new PromptMemo(100, 2);
    memo.remember(turn(['a'.repeat(40), 'q1'], [5, 1]));
    memo.remember(turn(['b'.repeat(40), 'q2'], [5, 1]));
    expect(memo.size).to.equal(2);
    memo.remember(turn(['c'.repeat(10), 'q3'], [2, 1])); // a third conversation: the oldest goes
    expect(memo.size).to.equal(2);
    expect(memo.reuse(['a'.repeat(40), 'q1'], 'o200k_base')).to.equal(undefined);
    expect(memo.reuse(['b'.repeat(40), 'q2'], 'o200k_base')).to.deep.include({ segments: 2, tokens: 6 });
    memo.remember(turn(['b'.repeat(40), 'q2', 'd'.repeat(50)], [5, 1, 7])); // the same conversation, longer: 104 characters in all
    expect(memo.reuse(['c'.repeat(10), 'q3'], 'o200k_base')).to.equal(undefined); // dropped to make room
    expect(memo.reuse(['b'.repeat(40), 'q2', 'd'.repeat(50)], 'o200k_base')).to.deep.include({ segments: 3, tokens: 13 });
    memo.remember(turn(['e'.repeat(101), 'q'], [20, 1]));
    expect(memo.reuse(['e'.repeat(101), 'q'], 'o200k_base')).to.equal(undefined);
    expect(memo.size).to.equal(1);
  });
});
