// Sessions recorded through the real clients (Claude Code, Codex CLI, Gemini CLI) by
// bench/real-clients/run.sh FIXTURE_DIR=… : every generation request each client sent, as it sent
// it (only system prompts, tool schemas and long context blocks trimmed; tool calls and results
// byte for byte, with each client's own volatile parts — Codex's chunk ids and wall times, Gemini
// CLI's process group ids). Ordinary sessions (`read-files`: one tool with new arguments each
// time, then a job polled while its status moves) must give no finding at all; the scripted loop
// (`loop`: the same shell command forever) must be noted at warn_at and blocked at block_at, which
// is what fails if a client's volatile output defeats the normaliser.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProtocolName, type JsonObject, type ProtocolName } from '../../../core/index.js';
import { DEFAULTS, findingsOf, summary } from './helpers.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/dedupe/recorded');

interface Recording { name: string; client: string; protocol: ProtocolName; task: string; requests: JsonObject[] }

const recordings: Recording[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Recording);

/** Tool results in a request, whatever the protocol: the steps the client has completed. */
function resultsIn(body: JsonObject): number {
  return (JSON.stringify(body).match(/"type":"tool_result"|"type":"function_call_output"|"functionResponse":/g) ?? []).length;
}

describe('dedupe: sessions recorded through the real clients', () => {
  it('holds an ordinary session and a loop of each client', () => {
    for (const task of ['read-files', 'loop']) {
      expect(new Set(recordings.filter((r) => r.task === task).map((r) => r.client)), task).to.have.keys('claude', 'codex', 'gemini');
    }
  });

  for (const r of recordings.filter((x) => x.task === 'read-files')) {
    it(`${r.name}: no finding in any of its ${r.requests.length} requests`, () => {
      expect(r.requests.length).to.be.at.least(9); // 6 notes read, 4 polls (the last answers in text)
      r.requests.forEach((body, i) => {
        expect(summary(findingsOf({ protocol: parseProtocolName(r.protocol), body })), `request ${i + 1}`).to.deep.equal([]);
      });
    });
  }

  for (const r of recordings.filter((x) => x.task === 'loop')) {
    it(`${r.name}: noted from warn_at, blocked at block_at, as the live run was`, () => {
      const seen = r.requests.map((body) => {
        const n = resultsIn(body);
        const expected = n < DEFAULTS.warnAt ? [] : [`REPEATED_TOOL_CALL:${n < DEFAULTS.blockAt ? 'warn' : 'block'}:${n}`];
        expect(summary(findingsOf({ protocol: parseProtocolName(r.protocol), body })), `request with ${n} results`).to.deep.equal(expected);
        return n;
      });
      expect(Math.max(...seen)).to.equal(DEFAULTS.blockAt);
    });
  }
});
