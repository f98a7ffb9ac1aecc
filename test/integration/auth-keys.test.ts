// API keys end to end: created with the real CLI, used by the official SDKs of every family in
// every way they send a key; wrong, revoked, expired and disabled-user keys get a 401 in each
// protocol; a key is never stored in clear, never logged, never forwarded.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { authConfig, cli, cliKey, sluice, within, type CreatedKey } from './auth-helpers.js';

type Family = 'openai' | 'anthropic-x-api-key' | 'anthropic-bearer' | 'gemini-x-goog-api-key' | 'gemini-query-key';
const FAMILIES: Family[] = ['openai', 'anthropic-x-api-key', 'anthropic-bearer', 'gemini-x-goog-api-key', 'gemini-query-key'];

interface Outcome { ok: boolean; status?: number; type?: string; message?: string }

/** A request with no credential at all (the SDKs refuse to send one): the family's wire, by hand. */
const KEY_REFUSED = 'invalid API key: send a key Sluice issued (sk-sluice-…) as Authorization: Bearer KEY, x-api-key or x-goog-api-key; the gateway\'s operator makes them (sluice key create)';

async function askWithoutKey(gw: TestGateway, family: Family): Promise<Outcome> {
  const [url, body] = family === 'openai' ? [`${gw.url}/v1/chat/completions`, { model: 'loopback', messages: [{ role: 'user', content: 'ping' }] }]
    : family.startsWith('anthropic') ? [`${gw.url}/v1/messages`, { model: 'loopback', max_tokens: 32, messages: [{ role: 'user', content: 'ping' }] }]
      : [`${gw.url}/v1beta/models/loopback:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }];
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Clients that retry a 401 by default (Claude Code) must not: the key will not get better.
  expect(res.headers.get('x-should-retry')).to.equal('false');
  const json = await res.json() as { error: { type?: string; status?: string; message: string } };
  return { ok: res.ok, status: res.status, type: json.error.type ?? json.error.status, message: json.error.message };
}

/** One request through the family's official SDK (or, for ?key=, the Gemini wire as the CLI sends it). */
async function ask(gw: TestGateway, family: Family, key: string | undefined, model = 'loopback'): Promise<Outcome> {
  if (key === undefined) return askWithoutKey(gw, family);
  try {
    switch (family) {
      case 'openai': {
        const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
        const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }] });
        return { ok: r.choices[0]!.message.content!.length > 0 };
      }
      case 'anthropic-x-api-key': case 'anthropic-bearer': {
        const client = family === 'anthropic-x-api-key'
          ? new Anthropic({ baseURL: gw.url, apiKey: key, authToken: null, maxRetries: 0 })
          : new Anthropic({ baseURL: gw.url, authToken: key, apiKey: null, maxRetries: 0 });
        const r = await client.messages.create({ model, max_tokens: 32, messages: [{ role: 'user', content: 'ping' }] });
        return { ok: r.content.length > 0 };
      }
      case 'gemini-x-goog-api-key': {
        const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url } });
        const r = await ai.models.generateContent({ model, contents: 'ping' });
        return { ok: (r.text ?? '').length > 0 };
      }
      case 'gemini-query-key': {
        const res = await fetch(`${gw.url}/v1beta/models/${model}:generateContent?key=${encodeURIComponent(key)}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }),
        });
        const body = await res.json() as { error?: { code: number; status: string; message: string } };
        return res.ok ? { ok: true } : { ok: false, status: res.status, type: body.error?.status, message: body.error?.message };
      }
    }
  } catch (err) {
    const e = err as { status?: number; error?: { error?: { type?: string; message?: string }; type?: string; message?: string }; message: string };
    if (e.status === undefined) throw err; // not an answer from the gateway
    if (family === 'openai') return { ok: false, status: e.status, type: (e.error as { type?: string })?.type, message: (e.error as { message?: string })?.message };
    if (family.startsWith('anthropic')) return { ok: false, status: e.status, type: e.error?.error?.type, message: e.error?.error?.message };
    // @google/genai: ApiError with the status and the JSON body in its message.
    const parsed = JSON.parse(e.message.slice(e.message.indexOf('{'))) as { error: { status: string; message: string } };
    return { ok: false, status: e.status, type: parsed.error.status, message: parsed.error.message };
  }
}

const UNAUTHENTICATED: Record<Family, string> = {
  openai: 'authentication_error', 'anthropic-x-api-key': 'authentication_error', 'anthropic-bearer': 'authentication_error',
  'gemini-x-goog-api-key': 'UNAUTHENTICATED', 'gemini-query-key': 'UNAUTHENTICATED',
};

describe('auth (api_key) end to end: CLI-made keys, every SDK, every way of sending a key', function () {
  this.timeout(60_000);
  let dir: string;
  let config: string;
  let gw: TestGateway;
  const keys: Record<'good' | 'revoked' | 'expired' | 'disabledUser' | 'limited', CreatedKey> = {} as never;
  const cliOutput: string[] = [];

  before(async () => {
    dir = tempDir('sluice-auth-');
    config = path.join(dir, 'sluice.yaml');
    const yaml = authConfig({ router: '{ default: local, aliases: { fast: loopback-mini } }' });
    // The CLI runs against the config before the gateway ever started (migrations run on first use).
    (await import('node:fs')).writeFileSync(config, yaml);
    cliOutput.push((await cli(config, 'team', 'add', 'eng')).stdout);
    cliOutput.push((await cli(config, 'user', 'add', 'alice', '--team', 'eng')).stdout);
    cliOutput.push((await cli(config, 'user', 'add', 'bob')).stdout);
    keys.good = await cliKey(config, '--user', 'alice');
    keys.revoked = await cliKey(config, '--user', 'alice', '--name', 'to-revoke');
    keys.expired = await cliKey(config, '--user', 'alice', '--expires', '1m');
    keys.disabledUser = await cliKey(config, '--user', 'bob');
    keys.limited = await cliKey(config, '--user', 'alice', '--models', 'loopback-mini');
    gw = await startGateway(yaml, { dir });
  });
  after(async () => { await gw?.close(); });

  it('a key created by the CLI works from every client family and every way it sends a key', async () => {
    for (const family of FAMILIES) expect(await ask(gw, family, keys.good.key), family).to.deep.equal({ ok: true });
  });

  it('a missing or wrong key is a 401 in each protocol, with the same body whatever the reason', async () => {
    const wrong = keys.good.key.slice(0, -4) + 'AAAA';
    for (const family of FAMILIES) {
      const missing = await ask(gw, family, undefined);
      const unknown = await ask(gw, family, 'sk-sluice-' + 'x'.repeat(40));
      const mismatched = await ask(gw, family, wrong);
      const foreign = await ask(gw, family, 'sk-proj-not-a-sluice-key');
      for (const o of [missing, unknown, mismatched, foreign]) {
        expect(o, family).to.deep.include({ ok: false, status: 401, type: UNAUTHENTICATED[family] });
      }
      expect(new Set([missing.message, unknown.message, mismatched.message, foreign.message]).size, family).to.equal(1);
      // What to do about it, with no word on why this key failed: the header to send a Sluice key in.
      expect(missing.message, family).to.equal(KEY_REFUSED);
    }
  });

  it('authentication answers first: no key with a broken, model-less or oversized body is still a 401, as at the providers', async () => {
    const routes: [Family, string, Record<string, string>][] = [
      ['openai', '/v1/chat/completions', {}],
      ['anthropic-x-api-key', '/v1/messages', { 'anthropic-version': '2023-06-01' }],
      ['gemini-x-goog-api-key', '/v1beta/models/loopback:generateContent', {}],
    ];
    for (const [family, route, extra] of routes) {
      for (const [body, contentType] of [['{"model": "loopback", "messages": [', 'application/json'], ['{}', 'application/json'], ['{"model":"loopback"}', 'text/plain'], ['x'.repeat(40 * 1024 * 1024), 'application/json']] as const) {
        const res = await fetch(`${gw.url}${route}`, { method: 'POST', headers: { 'content-type': contentType, ...extra }, body });
        const what = `${family} ${body.slice(0, 20)} ${contentType}`;
        expect(res.status, what).to.equal(401);
        expect(res.headers.get('x-should-retry'), what).to.equal('false');
        const json = await res.json() as { error: { type?: string; status?: string } };
        expect(json.error.type ?? json.error.status, what).to.equal(UNAUTHENTICATED[family]);
      }
    }
    // With a valid key the body is judged as before.
    const bad = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.good.key}` }, body: '{"model": ' });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('SLUICE_E_BAD_JSON');
    // Known before the body was judged, the key's owner is on the refusal's access log line (and
    // ledger row): a key's failed turns belong to its reports too.
    const id = bad.headers.get('x-request-id')!;
    const line = gw.logs.map((l) => JSON.parse(l) as { msg: string; request_id?: string; user?: string; status?: number })
      .find((l) => l.msg === 'request' && l.request_id === id);
    expect(line).to.deep.include({ status: 400, user: 'alice' });
  });

  it('revoked (with the CLI, while serving), expired and disabled-user keys get 401 in each protocol', async () => {
    for (const family of FAMILIES) expect(await ask(gw, family, keys.revoked.key), family).to.deep.equal({ ok: true });
    for (const family of FAMILIES) expect(await ask(gw, family, keys.disabledUser.key), family).to.deep.equal({ ok: true });
    const revoke = await sluice(['key', 'revoke', keys.revoked.id, '--config', config]);
    cliOutput.push(revoke.stdout, revoke.stderr);
    expect(revoke.code).to.equal(0);
    await sluice(['user', 'disable', 'bob', '--config', config]);
    // The gateway had both keys cached; the CLI is another process on the same SQLite file: the
    // gateway's change poll (every second) drops them.
    await within(3000, async () => !(await ask(gw, 'openai', keys.revoked.key)).ok);
    await within(3000, async () => !(await ask(gw, 'openai', keys.disabledUser.key)).ok);
    // Expire the third one by moving its expiry into the past (an expiry is always in the future when set).
    const knex = openDatabase('sqlite:./sluice.db', dir);
    await knex('auth_keys').where({ id: keys.expired.id }).update({ expires_at: Date.now() - 1000, updated_at: Date.now() });
    await knex.destroy();
    await within(3000, async () => !(await ask(gw, 'openai', keys.expired.key)).ok);
    const reference = await ask(gw, 'openai', 'sk-sluice-' + 'x'.repeat(40));
    for (const family of FAMILIES) {
      for (const which of ['revoked', 'expired', 'disabledUser'] as const) {
        const o = await ask(gw, family, keys[which].key);
        expect(o, `${family} ${which}`).to.deep.include({ ok: false, status: 401, type: UNAUTHENTICATED[family] });
        if (family === 'openai') expect(o.message, which).to.equal(reference.message);
      }
    }
    // The log says why; the body did not.
    const reasons = gw.logs.filter((l) => l.includes('authentication failed')).map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(reasons).to.include.members(['missing', 'unknown', 'malformed', 'revoked', 'expired', 'user_disabled']);
  });

  it('a model outside the key\'s allow-list is a 403 in each protocol; an alias to an allowed model works', async () => {
    expect(await ask(gw, 'openai', keys.limited.key, 'fast')).to.deep.equal({ ok: true });
    expect(await ask(gw, 'openai', keys.limited.key, 'loopback-mini')).to.deep.equal({ ok: true });
    const types: Record<Family, string> = {
      openai: 'permission_error', 'anthropic-x-api-key': 'permission_error', 'anthropic-bearer': 'permission_error',
      'gemini-x-goog-api-key': 'PERMISSION_DENIED', 'gemini-query-key': 'PERMISSION_DENIED',
    };
    for (const family of FAMILIES) {
      expect(await ask(gw, family, keys.limited.key, 'loopback'), family).to.deep.include({ ok: false, status: 403, type: types[family] });
    }
  });

  it('the database file never contains a key in clear', async () => {
    const files = readdirSync(dir).filter((f) => f.startsWith('sluice.db'));
    expect(files).to.include('sluice.db');
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f)).toString('latin1');
      for (const k of Object.values(keys)) {
        expect(bytes, f).to.not.contain(k.key);
        expect(bytes, f).to.not.contain(k.key.slice(18)); // not even the secret part
      }
    }
  });

  it('no log line and no CLI output other than `key create` contains a key', async () => {
    expect(gw.logs.length).to.be.greaterThan(20);
    const everything = [...gw.logs, ...cliOutput, (await sluice(['key', 'list', '--config', config])).stdout, (await sluice(['key', 'list', '--json', '--config', config])).stdout].join('\n');
    for (const k of Object.values(keys)) expect(everything).to.not.contain(k.key.slice(18));
    expect(everything).to.not.contain('sk-sluice-' + 'x'.repeat(40));
  });
});

describe('auth: a whole key in a request path is kept out of the log and the ledger', function () {
  this.timeout(60_000);
  it('an admin call naming a key by the whole key, and a key where a model goes, are logged and stored with the key id only', async () => {
    const dir = tempDir('sluice-auth-path-');
    const config = path.join(dir, 'sluice.yaml');
    const yaml = `${authConfig({ admin: 'admin-key-0123456789abcdef' })}  - use: ledger\n    with: { flush_interval_ms: 50 }\n`;
    (await import('node:fs')).writeFileSync(config, yaml);
    await cli(config, 'user', 'add', 'alice');
    const key = await cliKey(config, '--user', 'alice');
    const gw = await startGateway(yaml, { dir });
    try {
      const admin = await fetch(`${gw.url}/admin/keys/${key.key}`, { headers: { authorization: 'Bearer admin-key-0123456789abcdef' } });
      expect(admin.status).to.equal(200);
      expect(((await admin.json()) as { id: string }).id).to.equal(key.id);
      const stray = await fetch(`${gw.url}/v1/${key.key}`, { headers: { authorization: `Bearer ${key.key}` } });
      expect(stray.status).to.equal(404);
      await stray.body?.cancel();
      // Where the URL names a model (OpenAI's /v1/models/{id}, Gemini's models/{model}:…), and a
      // body whose model is a key pasted in the wrong field: the model is logged and stored too.
      const auth = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };
      for (const [url, body] of [
        [`/v1/models/${key.key}`, undefined],
        [`/v1beta/models/${key.key}:generateContent`, JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] })],
        ['/v1/chat/completions', JSON.stringify({ model: key.key, messages: [{ role: 'user', content: 'hi' }] })],
      ] as const) {
        const res = await fetch(`${gw.url}${url}`, body === undefined ? { headers: auth } : { method: 'POST', headers: auth, body });
        await res.body?.cancel();
      }
      // A key pasted as the request id or the session id: both are echoed into logs and the ledger.
      const ids = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'x-request-id': key.key, 'x-session-id': key.key },
        body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
      await ids.body?.cancel();
      expect(ids.headers.get('x-request-id'), 'a fresh request id, not the key').to.match(/^req_/);
    } finally { await gw.close(); }
    const models = gw.logs.map((l) => (JSON.parse(l) as { model?: string }).model).filter((m) => m !== undefined);
    expect(models.filter((m) => m === `sk-sluice-${key.id}…`), 'each of the three requests').to.have.length(3);
    const secret = key.key.slice(18);
    const paths = gw.logs.map((l) => (JSON.parse(l) as { path?: string }).path).filter((p) => p !== undefined);
    expect(paths).to.include.members([`/admin/keys/sk-sluice-${key.id}…`, `/v1/sk-sluice-${key.id}…`]);
    expect(gw.logs.join('\n')).to.not.contain(secret);
    const knex = openDatabase('sqlite:./sluice.db', dir);
    try {
      const rows = await knex('ledger_requests').select('*') as { path: string }[];
      expect(rows.map((r) => r.path)).to.include(`/v1/sk-sluice-${key.id}…`);
      expect(JSON.stringify(rows)).to.not.contain(secret);
    } finally { await knex.destroy(); }
  });
});
