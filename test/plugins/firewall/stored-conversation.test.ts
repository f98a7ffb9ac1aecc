// Redact on a Responses request that continues a conversation stored at the provider
// (`previous_response_id`, `conversation`): the history is not resent, so sequential numbering would
// hand an earlier turn's number to a new value and restore the model's use of it as the wrong person.
// Such requests number by a keyed hash instead; history-resending requests keep sequential numbers.
import { expect } from 'chai';
import { runPlugin, type RunResult } from '../../../core/testing/index.js';
import type { JsonObject } from '../../../core/index.js';
import firewall from '../../../plugins/firewall/index.js';
import { keyedNumber, PlaceholderMap } from '../../../plugins/firewall/placeholders.js';

const ALICE = 'alice.w@acme-corp.io';
const BOB = 'bob.k@acme-corp.io';

/** A Responses answer whose text is `text` (the model naming placeholders). */
function answer(text: string) {
  return { json: { id: 'resp_2', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }] } };
}

async function turn(body: JsonObject, reply = 'ok'): Promise<RunResult> {
  return runPlugin(firewall, { path: '/v1/responses', body: { model: 'm', ...body }, options: { mode: 'redact' }, upstream: answer(reply) });
}

const sentInput = (r: RunResult) => (r.upstreamRequests[0]!.body as { input: string }).input;
const answerText = (r: RunResult) => ((r.json as { output: { content: { text: string }[] }[] }).output[0]!.content[0]!.text);

describe('firewall placeholders for stored conversations', () => {
  it('a request resending its history keeps sequential numbers', async () => {
    const r = await turn({ store: true, input: `My manager is ${ALICE}` });
    expect(sentInput(r)).to.equal('My manager is [EMAIL_ADDRESS_1]');
  });

  it('previous_response_id: a new value cannot take an earlier turn\'s number, and that number is not restored', async () => {
    const first = await turn({ store: true, input: `My manager is ${ALICE}` });
    expect(sentInput(first)).to.equal('My manager is [EMAIL_ADDRESS_1]');
    const second = await turn(
      { previous_response_id: 'resp_1', input: `My own address is ${BOB}. Now email my manager.` },
      'Mailing [EMAIL_ADDRESS_1] from PLACEHOLDER.',
    );
    const input = sentInput(second);
    expect(input).not.to.contain(BOB);
    const placeholder = /\[EMAIL_ADDRESS_(\d+)\]/.exec(input);
    expect(placeholder, input).to.not.equal(null);
    expect(placeholder![0]).not.to.equal('[EMAIL_ADDRESS_1]');
    expect(Number(placeholder![1])).to.be.at.least(10_000_000).and.below(100_000_000);
    // The model names the manager by turn 1's placeholder: this request never made it, so it stays.
    const again = await turn(
      { previous_response_id: 'resp_1', input: `My own address is ${BOB}. Now email my manager.` },
      `Mailing [EMAIL_ADDRESS_1] from ${placeholder![0]}.`,
    );
    expect(answerText(again)).to.equal(`Mailing [EMAIL_ADDRESS_1] from ${BOB}.`);
  });

  it('the same value gets the same keyed placeholder on every turn; `conversation` numbers keyed too', async () => {
    const a = await turn({ previous_response_id: 'resp_1', input: `cc ${BOB}` });
    const b = await turn({ previous_response_id: 'resp_2', input: [{ role: 'user', content: `ask ${ALICE}, then ${BOB}` }] });
    const c = await turn({ conversation: { id: 'conv_1' }, input: `ping ${BOB}` });
    const bob = /\[EMAIL_ADDRESS_\d+\]/.exec(sentInput(a))![0];
    expect(JSON.stringify(b.upstreamRequests[0]!.body)).to.contain(`then ${bob}`).and.not.contain(ALICE);
    expect(sentInput(c)).to.equal(`ping ${bob}`);
  });

  it('keyed numbers depend on the value, and two values on one number still get two placeholders', () => {
    expect(keyedNumber('EMAIL_ADDRESS', ALICE)).to.equal(keyedNumber('EMAIL_ADDRESS', ALICE));
    expect(keyedNumber('EMAIL_ADDRESS', ALICE)).not.to.equal(keyedNumber('EMAIL_ADDRESS', BOB));
    // Find two values on one number (a birthday search over the 90 million numbers: ~10k tries).
    const byNumber = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair && i < 200_000; i++) {
      const value = `user${i}@corp-mail.io`;
      const n = keyedNumber('EMAIL_ADDRESS', value);
      const other = byNumber.get(n);
      if (other !== undefined) pair = [other, value];
      else byNumber.set(n, value);
    }
    expect(pair, 'a colliding pair').to.not.equal(undefined);
    const map = new PlaceholderMap('keyed');
    const first = map.placeholderFor('EMAIL_ADDRESS', pair![0]);
    const second = map.placeholderFor('EMAIL_ADDRESS', pair![1]);
    expect(first).to.equal(`[EMAIL_ADDRESS_${keyedNumber('EMAIL_ADDRESS', pair![0])}]`);
    expect(second).not.to.equal(first);
    expect(second).to.match(/^\[EMAIL_ADDRESS_\d{8}\]$/);
    expect([map.values.get(first), map.values.get(second)]).to.deep.equal(pair);
  });
});
