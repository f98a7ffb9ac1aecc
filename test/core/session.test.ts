import { expect } from 'chai';
import { sessionIdFrom } from '../../core/http/session.js';

describe('session id', () => {
  it('reads Claude Code, Codex and generic headers, in that order', () => {
    expect(sessionIdFrom({ 'x-claude-code-session-id': 'cc-1', 'x-session-id': 'x' }, {})).to.equal('cc-1');
    expect(sessionIdFrom({ 'session-id': '0199-abc' }, {})).to.equal('0199-abc');
    expect(sessionIdFrom({ 'x-session-id': 's1' }, {})).to.equal('s1');
  });

  it('reads session_id inside the JSON string of metadata.user_id, and the older suffix form', () => {
    const user_id = JSON.stringify({ device_id: 'd', account_uuid: '', session_id: '5f0c-11' });
    expect(sessionIdFrom({}, { metadata: { user_id } })).to.equal('5f0c-11');
    expect(sessionIdFrom({}, { metadata: { user_id: 'user_abc_account__session_1b2c3d4e-aaaa' } })).to.equal('1b2c3d4e-aaaa');
  });

  it('ignores unsafe or missing values', () => {
    expect(sessionIdFrom({ 'x-session-id': 'bad id\n' }, {})).to.equal(undefined);
    expect(sessionIdFrom({}, { metadata: { user_id: 'plain-user' } })).to.equal(undefined);
    expect(sessionIdFrom({}, {})).to.equal(undefined);
  });
});
