// The replay corpus (test/fixtures/dedupe): ordinary agent sessions that call one tool many times
// with different arguments, re-run tests after edits, and poll jobs whose status moves. Every
// request each client would send during the session — in its own protocol and in the other three —
// must give no finding at all: not a block, not even a note.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENTS, requestsDuring, type ClientName, type Script } from './clients.js';
import { findingsOf, summary } from './helpers.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/dedupe');

interface Session extends Script { name: string; client: ClientName }

const sessions: Session[] = readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(path.join(CORPUS, f), 'utf8')) as Session);

describe('dedupe: replay corpus of ordinary agent sessions', () => {
  it('holds sessions of every client, long ones included', () => {
    expect(new Set(sessions.map((s) => s.client))).to.have.keys(...CLIENTS);
    expect(Math.max(...sessions.map((s) => s.steps.length))).to.be.at.least(100);
  });

  for (const session of sessions) {
    const clients = [session.client, ...CLIENTS.filter((c) => c !== session.client)];
    it(`${session.name}: no finding in any request (${session.steps.length} steps; ${clients.join(', ')})`, () => {
      let requests = 0;
      for (const client of clients) {
        for (const { step, request } of requestsDuring(client, session)) {
          requests++;
          const findings = findingsOf(request);
          expect(summary(findings), `${client}, request after step ${step}`).to.deep.equal([]);
        }
      }
      expect(requests).to.equal(clients.length * session.steps.filter((s) => 'calls' in s).length);
    });
  }
});
