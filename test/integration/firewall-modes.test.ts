// The firewall's three modes against every client SDK, through the real gateway, with the recording
// proxy as the judge of what the provider saw: a system prompt, a user turn whose tool marker makes
// the model call a tool with a value in its arguments, and a tool result carrying values back —
// JSON and streamed, passthrough and translated. No log line at any level may carry a value.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { errorStatus } from '../helpers/translation-rig.js';
import { agents, type Agent } from './firewall-agents.js';
import { GENERATE, leaked, modelFor, settle, startFirewallRig, type FirewallRig, type GenProtocol } from './firewall-rig.js';

const EMAIL = 'ann.lee@corp-mail.io';
const AWS_KEY = 'AKIAZ3MJQX7TNVB4KWPQ';
const GITHUB_TOKEN = 'ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU';
const OPS_EMAIL = 'ops.team@weather-corp.net';
const VALUES = [EMAIL, AWS_KEY, GITHUB_TOKEN, OPS_EMAIL];

const SYSTEM = `You are a weather bot. Deploy token: ${GITHUB_TOKEN}.`;
const ARGS = { city: 'Paris', note: `key ${AWS_KEY} for ${EMAIL}` };
const PROMPT = `I am ${EMAIL}. [[tool:lookup ${JSON.stringify(ARGS)}]]`;
const RESULT = `sunny; on-call ${OPS_EMAIL}, cc ${EMAIL}`;

/** Loopback answers a tool result with "Tool lookup returned: <result>" (Gemini's result is an object). */
function expectToolReply(client: GenProtocol, text: string): void {
  if (client === 'gemini.generate') expect(text).to.match(/^Tool lookup returned: /).and.contain(RESULT);
  else expect(text).to.equal(`Tool lookup returned: ${RESULT}`);
}

describe('firewall in the chain: modes × client SDKs (recording proxy as judge)', () => {
  let rig: FirewallRig;
  const gateways: TestGateway[] = [];
  const start = async (yaml: string) => { const gw = await rig.gateway(yaml); gateways.push(gw); return gw; };

  before(async () => { rig = await startFirewallRig(); });
  after(async () => {
    // No value in any log line, at any level (the rig logs at debug), of any gateway the tests ran.
    for (const gw of gateways) {
      for (const line of gw.logs) expect(leaked(line, VALUES), `log line ${line.slice(0, 200)}`).to.deep.equal([]);
    }
    await rig.close();
  });

  describe('redact with restore: the provider never sees a value, the client gets every one back', () => {
    let clients: Record<GenProtocol, Agent>;
    before(async () => { clients = agents((await start('{ mode: redact }')).url); });

    for (const client of GENERATE) {
      for (const upstream of GENERATE) {
        for (const stream of [false, true]) {
          const label = `${client} → ${upstream}${client === upstream ? ' (passthrough)' : ''}, ${stream ? 'streamed' : 'JSON'}`;
          it(label, async () => {
            const from = rig.proxy.requests.length;
            const turn = await clients[client](modelFor(upstream), SYSTEM, PROMPT, stream);
            expect(turn.calls.map((c) => ({ name: c.name, args: c.args })), 'tool arguments restored').to.deep.equal([{ name: 'lookup', args: ARGS }]);
            expectToolReply(client, await turn.next([RESULT], stream));
            const seen = rig.proxy.requests.slice(from);
            expect(seen, 'two turns reached the provider').to.have.length(2);
            for (const r of seen) expect(leaked(r.body, VALUES), `what the provider saw: ${r.body.slice(0, 300)}`).to.deep.equal([]);
            // One value, one placeholder: on both turns, in every place it occurs.
            for (const r of seen) {
              expect(r.body).to.contain('[EMAIL_ADDRESS_1]').and.contain('[GITHUB_TOKEN_1]');
              expect(r.body).not.to.contain('[EMAIL_ADDRESS_3]');
            }
            expect(seen[1]!.body).to.contain('[EMAIL_ADDRESS_2]'); // the on-call address, first seen in turn 2's result
          });
        }
      }
    }

    for (const client of GENERATE) {
      for (const stream of [false, true]) {
        it(`${client}: echoed text comes back with the values, ${stream ? 'streamed' : 'JSON'}`, async () => {
          const from = rig.proxy.requests.length;
          const prompt = `mail ${EMAIL} the key ${AWS_KEY}, then mail ${EMAIL} again`;
          const turn = await clients[client](modelFor(client), 'be brief', prompt, stream);
          expect(turn.text).to.equal(`Loopback reply. You said: ${prompt}`);
          const seen = rig.proxy.requests.slice(from);
          expect(seen).to.have.length(1);
          expect(seen[0]!.body).to.contain('mail [EMAIL_ADDRESS_1] the key [AWS_ACCESS_KEY_ID_1], then mail [EMAIL_ADDRESS_1] again');
        });
      }
    }
  });

  describe('redact without restore: the client sees the placeholders', () => {
    let clients: Record<GenProtocol, Agent>;
    before(async () => { clients = agents((await start('{ mode: redact, restore: false }')).url); });
    for (const client of GENERATE) {
      it(client, async () => {
        const turn = await clients[client](modelFor(client), 'be brief', `mail ${EMAIL}`, true);
        expect(turn.text).to.equal('Loopback reply. You said: mail [EMAIL_ADDRESS_1]');
      });
    }
  });

  describe('enforce: refused before any upstream call, in the client\'s envelope, naming types only', () => {
    let clients: Record<GenProtocol, Agent>;
    let gw: TestGateway;
    before(async () => { gw = await start('{ mode: enforce, entities: { EMAIL_ADDRESS: { action: redact } } }'); clients = agents(gw.url); });

    for (const client of GENERATE) {
      for (const stream of [false, true]) {
        it(`${client}, ${stream ? 'streamed' : 'JSON'}: a secret blocks`, async () => {
          const from = rig.proxy.requests.length;
          let error: unknown;
          try { await clients[client](modelFor(client), SYSTEM, PROMPT, stream); } catch (err) { error = err; }
          expect(errorStatus(error), String(error)).to.equal(400);
          const message = String((error as Error).message);
          expect(message).to.contain('request blocked by the prompt firewall: found GITHUB_TOKEN, AWS_ACCESS_KEY_ID');
          expect(message).not.to.contain('EMAIL_ADDRESS'); // redacted, not a reason to block
          expect(leaked(message, VALUES)).to.deep.equal([]);
          expect(rig.proxy.requests.length, 'nothing reached the provider').to.equal(from);
        });
      }
      it(`${client}: an entity whose action is redact is redacted instead`, async () => {
        const from = rig.proxy.requests.length;
        const turn = await clients[client](modelFor(client), 'be brief', `mail ${EMAIL}`, false);
        expect(turn.text).to.equal(`Loopback reply. You said: mail ${EMAIL}`);
        expect(rig.proxy.requests.slice(from).map((r) => leaked(r.body, VALUES))).to.deep.equal([[]]);
      });
    }

    it('the log line records the block with types and counts', async () => {
      await settle();
      const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; outcome?: string; findings?: string[]; error?: string }).filter((l) => l.msg === 'request');
      const blocked = lines.find((l) => l.outcome === 'blocked');
      expect(blocked?.error).to.equal('SLUICE_E_FIREWALL_BLOCKED');
      expect(blocked?.findings).to.include.members(['GITHUB_TOKEN=1:blocked', 'AWS_ACCESS_KEY_ID=1:blocked', 'EMAIL_ADDRESS=2:recorded']);
    });
  });

  describe('monitor: records, changes nothing', () => {
    let clients: Record<GenProtocol, Agent>;
    let gw: TestGateway;
    before(async () => { gw = await start('{ mode: monitor }'); clients = agents(gw.url); });

    for (const client of GENERATE) {
      for (const stream of [false, true]) {
        it(`${client}, ${stream ? 'streamed' : 'JSON'}`, async () => {
          const from = rig.proxy.requests.length;
          const turn = await clients[client](modelFor(client), SYSTEM, PROMPT, stream);
          expect(turn.calls.map((c) => c.args)).to.deep.equal([ARGS]);
          expectToolReply(client, await turn.next([RESULT], stream));
          const seen = rig.proxy.requests.slice(from);
          // The provider saw what the client sent: every value, no placeholder.
          expect(leaked(seen[0]!.body, VALUES)).to.have.members([EMAIL, AWS_KEY, GITHUB_TOKEN]);
          for (const r of seen) expect(r.body).not.to.contain('[EMAIL_ADDRESS_');
        });
      }
    }

    it('logs findings (types, counts, action) and counts them in metrics', async () => {
      await settle();
      const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; findings?: string[] }).filter((l) => l.msg === 'request' && l.findings);
      expect(lines.length).to.be.greaterThan(0);
      expect(lines[0]!.findings).to.include.members(['GITHUB_TOKEN=1:recorded', 'EMAIL_ADDRESS=2:recorded', 'AWS_ACCESS_KEY_ID=1:recorded']);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).to.match(/sluice_firewall_findings_total\{type="EMAIL_ADDRESS",action="recorded",direction="request"\} \d+/);
    });
  });
});
