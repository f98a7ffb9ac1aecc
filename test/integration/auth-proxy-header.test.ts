// proxy_header through the real gateway: the identity header is believed from a trusted peer only;
// mode none leaves everyone anonymous and does not count as authentication.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { listen } from '../../core/server.js';
import { authConfig, cli, sluice } from './auth-helpers.js';

async function chat(gw: TestGateway, headers: Record<string, string>): Promise<{ status: number; body: { error?: { type: string; message: string } } }> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] }),
  });
  return { status: res.status, body: await res.json() as { error?: { type: string; message: string } } };
}

interface RequestLine { msg: string; user?: string; status?: number }
const requestLines = (gw: TestGateway) => gw.logs.map((l) => JSON.parse(l) as RequestLine).filter((l) => l.msg === 'request');

describe('auth: proxy_header end to end', function () {
  this.timeout(60_000);

  async function gateway(auth: string, prepare?: (config: string) => Promise<void>): Promise<TestGateway> {
    const dir = tempDir('sluice-proxy-');
    const yaml = authConfig({ auth });
    writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
    await prepare?.(path.join(dir, 'sluice.yaml'));
    return startGateway(yaml, { dir });
  }

  it('accepts the identity from a trusted proxy, with the groups header as team', async () => {
    const gw = await gateway('{ mode: proxy_header, trusted_proxies: ["127.0.0.1/32", "::1"], groups_header: x-forwarded-groups }',
      async (config) => { await cli(config, 'user', 'add', 'alice@example.com'); });
    try {
      expect((await chat(gw, { 'x-forwarded-email': 'alice@example.com', 'x-forwarded-groups': 'eng,ops' })).status).to.equal(200);
      expect(requestLines(gw).at(-1)).to.include({ user: 'alice@example.com', status: 200 });
      // Unknown users are refused without auto_create; so is a request without the header.
      const unknown = await chat(gw, { 'x-forwarded-email': 'mallory@example.com' });
      expect(unknown.status).to.equal(401);
      expect(unknown.body.error).to.include({ type: 'authentication_error' });
      expect((await chat(gw, {})).status).to.equal(401);
    } finally { await gw.close(); }
  });

  it('refuses the same header from a peer that is not a trusted proxy', async () => {
    const gw = await gateway('{ mode: proxy_header, trusted_proxies: ["10.9.9.9/32"], auto_create: true }');
    try {
      const r = await chat(gw, { 'x-forwarded-email': 'alice@example.com', 'x-forwarded-for': '10.9.9.9' });
      expect(r.status).to.equal(401);
      expect(r.body.error).to.include({ type: 'authentication_error', message: 'not authenticated' });
      const line = gw.logs.map((l) => JSON.parse(l) as { msg: string; reason?: string }).find((l) => l.msg === 'authentication failed');
      expect(line?.reason).to.equal('untrusted_peer');
    } finally { await gw.close(); }
  });

  it('auto_create adds unknown users in the default team, and sluice user list shows them', async () => {
    let config = '';
    const gw = await gateway('{ mode: proxy_header, trusted_proxies: ["127.0.0.0/8", "::1"], auto_create: true, default_team: everyone }', async (c) => { config = c; });
    try {
      expect((await chat(gw, { 'x-forwarded-email': 'carol@example.com' })).status).to.equal(200);
      expect((await chat(gw, { 'x-forwarded-email': 'carol@example.com' })).status).to.equal(200);
      const users = JSON.parse((await sluice(['user', 'list', '--json', '--config', config])).stdout) as { name: string; team: string }[];
      expect(users).to.deep.equal([{ ...users[0], name: 'carol@example.com', team: 'everyone' }]);
      await cli(config, 'user', 'disable', 'carol@example.com');
      // The gateway learns it at its next change poll.
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) { status = (await chat(gw, { 'x-forwarded-email': 'carol@example.com' })).status; await new Promise((r) => setTimeout(r, 30)); }
      expect(status).to.equal(401);
    } finally { await gw.close(); }
  });

  it('mode none: everyone is anonymous, and it does not count as authentication', async () => {
    const gw = await gateway('{ mode: none }');
    try {
      expect((await chat(gw, {})).status).to.equal(200);
      expect(requestLines(gw).at(-1)).to.include({ user: 'anonymous' });
      expect(gw.gateway.authenticates).to.equal(false);
    } finally { await gw.close(); }
    const authed = await gateway('{ mode: api_key }');
    try { expect(authed.gateway.authenticates).to.equal(true); } finally { await authed.close(); }
  });

  it('mode none keeps a non-loopback bind refused', async () => {
    const dir = tempDir('sluice-none-');
    const { createGateway } = await import('../../core/app.js');
    const { loadConfigFile } = await import('../../core/config/load.js');
    writeFileSync(path.join(dir, 'sluice.yaml'), authConfig({ auth: '{ mode: none }' }));
    const gateway = await createGateway(await loadConfigFile(path.join(dir, 'sluice.yaml')));
    try {
      await listen(gateway, 0, '0.0.0.0');
      expect.fail('listened');
    } catch (err) {
      expect((err as Error).message).to.match(/refusing to listen on 0\.0\.0\.0 without authentication/);
    } finally { await gateway.close(); }
  });
});
