// A usage record's id: the request id when the gateway minted it, a derived one (unique to this
// request) when the client chose it or nothing says who did.
import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange, RequestRecord } from '../../../core/index.js';
import { recordIdFor } from '../../../plugins/marketplace/record-id.js';

let arrivals = 0;
function record(id: string, headers: IncomingHttpHeaders | undefined, arrivalKey = `0123abcd${(arrivals++).toString(36)}`): RequestRecord {
  return {
    id, arrivalKey, time: Date.UTC(2026, 0, 2), method: 'POST', path: '/v1/chat/completions', endpoint: 'openai.chat', family: 'openai',
    peerAddress: '127.0.0.1', clientAddress: '127.0.0.1', principal: undefined, sessionId: undefined, model: 'm', provider: 'p',
    servedModel: 'm', attempts: [], stream: false, status: 200, outcome: 'success', errorCode: undefined, usage: undefined,
    findings: [], firstByteMs: 1, totalMs: 2,
    // Only the headers are read.
    exchange: headers ? { id, headers } as unknown as Exchange : undefined,
  };
}

const MINTED = 'req_019b7a0c5f0c0123456789abcdef0123';

describe('marketplace record ids', () => {
  it('a minted request id is the record id: no x-request-id sent, or one core refused', () => {
    expect(recordIdFor(record(MINTED, {}))).to.equal(MINTED);
    expect(recordIdFor(record(MINTED, { 'x-request-id': 'has space' }))).to.equal(MINTED);
  });

  it('a client\'s id is derived, differently for every request: a reused id, a minted id sent back', () => {
    const ids = [record('client-42', { 'x-request-id': 'client-42' }), record('client-42', { 'x-request-id': 'client-42' }), record(MINTED, { 'x-request-id': MINTED })]
      .map(recordIdFor);
    expect(new Set(ids).size).to.equal(3);
    expect(ids[0]).to.match(/^client-42~[0-9a-z]{9,}$/);
    expect(ids[2]).to.match(new RegExp(`^${MINTED}~[0-9a-z]{9,}$`));
    // One process tag (eight digits after the `~`): only the sequence after it differs.
    const tag = (id: string) => id.slice(id.indexOf('~') + 1, id.indexOf('~') + 9);
    expect(tag(ids[0]!)).to.equal(tag(ids[1]!));
    // The suffix is core's arrival key, the ledger row's arrival_key: a record finds its row.
    expect(recordIdFor(record('client-9', { 'x-request-id': 'client-9' }, 'k7h2m9q0a'))).to.equal('client-9~k7h2m9q0a');
  });

  it('a request without an exchange (refused before its body was read) is derived: its id may be the client\'s', () => {
    expect(recordIdFor(record('client-7', undefined))).to.match(/^client-7~[0-9a-z]{9,}$/);
  });

  it('stays within the outbox\'s 128 characters for the longest id a client may send', () => {
    const long = 'a'.repeat(128);
    const id = recordIdFor(record(long, { 'x-request-id': long }));
    expect(id.length).to.be.at.most(128);
    expect(id.startsWith(`${'a'.repeat(100)}~`)).to.equal(true);
  });
});
