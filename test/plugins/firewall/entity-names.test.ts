// `entities:` names: the spellings users write resolve to the type findings carry (the issue's own
// `AWS_ACCESS_KEY` blocks AWS keys), and a name nothing reports is a config error at its key —
// in option parsing, `sluice config validate` and `sluice start` — instead of a silent no-op.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOptions, SchemaError } from '../../../core/index.js';
import { runPlugin } from '../../../core/testing/index.js';
import { refusedStartInProcess, sluiceInProcess } from '../../cli/run-cli.js';
import firewall from '../../../plugins/firewall/index.js';
import { BUILT_IN_ENTITY_TYPES, ENTITY_ALIASES } from '../../../plugins/firewall/entity-names.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';
import { SECRET_RULES } from '../../../plugins/firewall/detectors/secrets.js';
import { CONTACT_PII_RULES } from '../../../plugins/firewall/detectors/pii-contact.js';
import { NUMBER_PII_RULES } from '../../../plugins/firewall/detectors/pii-numbers.js';
import { NATIONAL_ID_RULES } from '../../../plugins/firewall/detectors/pii-national.js';
import { networkRules } from '../../../plugins/firewall/detectors/pii-network.js';

const AWS_KEY = 'AKIAQ3EGRBSWXN4LJ2TP';
const EMAIL = 'ann.lee@corp-mail.io';
const chatAnswer = { json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } };

describe('firewall entity names', () => {
  it('the written-out list of built-in types is exactly what the detectors report', () => {
    const reported = new Set<string>();
    const rules = [...SECRET_RULES, ...CONTACT_PII_RULES, ...NUMBER_PII_RULES, ...NATIONAL_ID_RULES, ...networkRules({ ignorePrivateIps: false })];
    for (const rule of rules) for (const type of rule.types ?? [rule.type]) reported.add(type);
    expect([...BUILT_IN_ENTITY_TYPES].sort()).to.deep.equal([...reported].sort());
    for (const [alias, type] of Object.entries(ENTITY_ALIASES)) {
      expect(reported.has(type), `${alias} → ${type}`).to.equal(true);
      expect(reported.has(alias), `${alias} is itself a type`).to.equal(false);
    }
  });

  it('aliases become the canonical type at parse time', () => {
    const o = parseOptions(firewallOptions, { entities: { AWS_ACCESS_KEY: { action: 'block' }, AWS_SECRET_KEY: false, EMAIL_ADDRESS: { action: 'redact' } } });
    expect(o.entities).to.deep.equal({ AWS_ACCESS_KEY_ID: { enabled: true, action: 'block' }, AWS_SECRET_ACCESS_KEY: false, EMAIL_ADDRESS: { enabled: true, action: 'redact' } });
  });

  it("the issue's example blocks an AWS key in redact mode, reported under its type", async () => {
    const r = await runPlugin(firewall, {
      path: '/v1/chat/completions',
      body: { model: 'm', messages: [{ role: 'user', content: `key ${AWS_KEY}, mail ${EMAIL}` }] },
      options: { mode: 'redact', entities: { EMAIL_ADDRESS: { action: 'redact' }, AWS_ACCESS_KEY: { action: 'block' } } },
      upstream: chatAnswer,
    });
    expect(r.status).to.equal(400);
    expect(r.upstreamRequests).to.have.length(0);
    expect(JSON.stringify(r.json)).to.contain('SLUICE_E_FIREWALL_BLOCKED').and.contain('AWS_ACCESS_KEY_ID').and.not.contain(AWS_KEY);
    expect(r.exchange.responseHeaders['x-sluice-firewall']).to.equal('AWS_ACCESS_KEY_ID=1,EMAIL_ADDRESS=1');
  });

  it('an alias disables detection too (engine reads the canonical key)', async () => {
    const r = await runPlugin(firewall, {
      path: '/v1/chat/completions',
      body: { model: 'm', messages: [{ role: 'user', content: `write to ${EMAIL}` }] },
      options: { mode: 'enforce', entities: { EMAIL: false } },
      upstream: chatAnswer,
    });
    expect(r.status).to.equal(200);
    expect(r.exchange.findings).to.deep.equal([]);
  });

  it('refuses a name nothing reports, at its key, listing the known names', () => {
    let error: unknown;
    try { parseOptions(firewallOptions, { entities: { EMAIL_ADDRESS: false, NOT_A_TYPE: false } }); } catch (err) { error = err; }
    expect(error).to.be.instanceOf(SchemaError);
    const message = (error as Error).message;
    expect(message).to.match(/entities\.NOT_A_TYPE: expected an entity type the firewall can report, got "NOT_A_TYPE"/);
    expect(message).to.contain('known: AGE_SECRET_KEY').and.contain('AWS_ACCESS_KEY_ID').and.contain('aliases: AWS_ACCESS_KEY');
    expect(message).not.to.match(/entities\.EMAIL_ADDRESS/);
    expect(() => parseOptions(firewallOptions, { entities: { email_address: false } })).to.throw(SchemaError, /did you mean EMAIL_ADDRESS\?/);
  });

  it('refuses two keys for one type', () => {
    expect(() => parseOptions(firewallOptions, { entities: { AWS_ACCESS_KEY_ID: false, AWS_ACCESS_KEY: { action: 'block' } } }))
      .to.throw(SchemaError, /entities\.AWS_ACCESS_KEY: .*"AWS_ACCESS_KEY" and "AWS_ACCESS_KEY_ID" both name AWS_ACCESS_KEY_ID/);
  });

  it('accepts custom detectors by type and by name; Presidio\'s own names always, any upper-case name with a sidecar', () => {
    const custom = [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }, { name: 'ticket', type: 'INTERNAL_TICKET', pattern: '#\\d{5}' }];
    const o = parseOptions(firewallOptions, { custom, entities: { employee_id: { action: 'block' }, INTERNAL_TICKET: false } });
    expect(Object.keys(o.entities)).to.deep.equal(['EMPLOYEE_ID', 'INTERNAL_TICKET']);
    // A policy written for the sidecar (or kept while it is off) is not a typo.
    expect(Object.keys(parseOptions(firewallOptions, { entities: { PERSON: { action: 'allow' } } }).entities)).to.deep.equal(['PERSON']);
    expect(() => parseOptions(firewallOptions, { entities: { COMPANY_SECRET_NAME: { action: 'allow' } } })).to.throw(SchemaError, /entities\.COMPANY_SECRET_NAME/);
    const withSidecar = parseOptions(firewallOptions, { presidio: { url: 'http://127.0.0.1:5002' }, entities: { PERSON: { action: 'allow' }, COMPANY_SECRET_NAME: false } });
    expect(Object.keys(withSidecar.entities)).to.deep.equal(['PERSON', 'COMPANY_SECRET_NAME']);
    expect(() => parseOptions(firewallOptions, { presidio: { url: 'http://127.0.0.1:5002' }, entities: { 'not upper': false } })).to.throw(SchemaError, /entities\.not upper/);
  });

  it('presidio.url must be an http(s) URL', () => {
    for (const url of ['not a url', 'ftp://host:21', 'localhost:5002']) {
      expect(() => parseOptions(firewallOptions, { presidio: { url } }), url).to.throw(SchemaError, /presidio\.url: expected an http or https URL/);
    }
    expect(parseOptions(firewallOptions, { presidio: { url: 'https://presidio.internal:5002/' } }).presidio!.url).to.equal('https://presidio.internal:5002/');
  });

  it('`sluice config validate` and `sluice start` refuse an unknown name with file:line:column', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-fw-names-'));
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, [
      'providers:',
      '  local: { type: loopback }',
      'chain:',
      '  - use: firewall',
      '    with:',
      '      entities:',
      '        EMAIL_ADDRESS: { action: redact }',
      '        NOT_A_TYPE: false',
      '  - use: router',
      '    with: { default: local }',
      '',
    ].join('\n'));
    // Through main() in-process (the real binary's exit codes have their tests in test/cli).
    for (const [command, run] of [['config validate', () => sluiceInProcess(['config', 'validate', '--config', file])], ['start', () => refusedStartInProcess(['--config', file, '--port', '0'])]] as const) {
      const r = await run();
      expect(r.status, `${command}: ${r.stdout}${r.stderr}`).to.equal(1);
      expect(r.stderr).to.contain(`${file}:8:`).and.contain('entities.NOT_A_TYPE: expected an entity type the firewall can report');
    }
  });
});
