import { expect } from 'chai';
import { join } from 'node:path';
import { loadCorpus } from '../../fixtures/firewall-corpus/load.js';
import { engine, fake } from './helpers.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';
import { createDetectionEngine } from '../../../plugins/firewall/engine.js';
import { parseOptions, SchemaError } from '../../../core/index.js';

describe('firewall engine options', () => {
  const text = 'mail bob@corp.io, card 4111 1111 1111 1111, key ghp' + '_' + fake(36);

  it('finds everything with defaults', () => {
    expect(engine().scan(text).map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS', 'CREDIT_CARD', 'GITHUB_TOKEN']);
  });
  it('disables whole detectors', () => {
    expect(engine({ pii: { enabled: false } }).scan(text).map((f) => f.type)).to.deep.equal(['GITHUB_TOKEN']);
    expect(engine({ secrets: { enabled: false } }).scan(text).map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS', 'CREDIT_CARD']);
  });
  it('disables single entities and applies per-entity minimum scores', () => {
    expect(engine({ entities: { EMAIL_ADDRESS: false } }).scan(text).map((f) => f.type)).to.deep.equal(['CREDIT_CARD', 'GITHUB_TOKEN']);
    expect(engine({ entities: { CREDIT_CARD: { min_score: 0.99 } } }).scan(text).map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS', 'GITHUB_TOKEN']);
    expect(engine({ min_score: 0.97 }).scan(text).map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS']);
  });
  it('adds custom patterns with keywords and capture groups', () => {
    const e = engine({
      custom: [
        { name: 'employee_id', pattern: 'EMP-\\d{6}', score: 0.9 },
        { name: 'ticket', type: 'INTERNAL_TICKET', pattern: '#(\\d{5})', group: 1, keywords: ['ticket'] },
      ],
    });
    const input = 'EMP-123456 opened ticket #54321; unrelated #11111 far away from any keyword ' + 'x'.repeat(120) + ' #22222';
    const found = e.scan(input).map((f) => [f.type, input.slice(f.start, f.end), f.detector]);
    expect(found).to.deep.equal([['EMPLOYEE_ID', 'EMP-123456', 'custom'], ['INTERNAL_TICKET', '54321', 'custom'], ['INTERNAL_TICKET', '11111', 'custom']]);
  });
  it('takes a custom pattern under regex, the key Presidio\'s recognizers use, as under pattern', () => {
    const e = engine({ custom: [{ name: 'employee_id', regex: 'EMP-\\d{6}', score: 0.9 }] });
    expect(e.scan('id EMP-123456').map((f) => [f.type, f.score])).to.deep.equal([['EMPLOYEE_ID', 0.9]]);
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'bad', regex: '(a)\\1' }] })).to.throw(SchemaError, /custom\[0\]\.regex: expected a regular expression RE2 can compile/);
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'both', regex: 'a', pattern: 'b' }] })).to.throw(SchemaError, /custom\[0\]\.regex: expected pattern or regex, not both/);
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'none' }] })).to.throw(SchemaError, /custom\[0\]\.pattern: expected a regular expression/);
  });
  it('refuses a custom type that is not upper snake case; a default type is the name with other characters as _', () => {
    // Such a type went as written into the x-sluice-firewall header: a line break failed every
    // request carrying it with a 500, a space gave "employee id=1".
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'emp', type: 'employee id', pattern: 'EMP' }] })).to.throw(SchemaError, /custom\[0\]\.type: expected an entity type in upper snake case/);
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'tk', type: 'TICKET\nX: y', pattern: 'TK' }] })).to.throw(SchemaError, /custom\[0\]\.type: expected an entity type in upper snake case/);
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'ü', pattern: 'ZZ' }] })).to.throw(SchemaError, /custom\[0\]\.name: expected a name with letters or digits/);
    const e = engine({ custom: [{ name: 'employee-id', pattern: 'EMP-\\d{6}' }], entities: { 'employee-id': { min_score: 0.5 } } });
    expect(e.scan('id EMP-123456').map((f) => f.type)).to.deep.equal(['EMPLOYEE_ID']);
  });
  it('drops allowlisted values and patterns', () => {
    const e = engine({ allowlist: { values: ['bob@corp.io'], patterns: ['4111[ -]?1111[ -]?1111[ -]?1111'] } });
    expect(e.scan(text).map((f) => f.type)).to.deep.equal(['GITHUB_TOKEN']);
  });
  it('refuses a pattern RE2 cannot compile, naming it', () => {
    expect(() => parseOptions(firewallOptions, { custom: [{ name: 'bad', pattern: '(a)\\1' }] })).to.throw(SchemaError, /custom\[0\]\.pattern: expected a regular expression RE2 can compile/);
    expect(() => parseOptions(firewallOptions, { allowlist: { patterns: ['(?=x)'] } })).to.throw(SchemaError, /allowlist\.patterns\[0\]/);
    // Options built without the schema still fail at engine creation, with the pattern's name.
    const options = firewallOptions.parse({});
    options.custom.push({ name: 'lookbehind', pattern: '(?<=a)b', score: 0.8 });
    expect(() => createDetectionEngine(options)).to.throw(/"lookbehind" does not compile with RE2/);
  });
  it('rejects unknown option keys', () => {
    expect(() => parseOptions(firewallOptions, { pii: { enable: true } })).to.throw(SchemaError, /pii\.enable: expected no option "enable"/);
  });
  it('resolves overlapping findings: a provider token beats the generic assignment', () => {
    const token = 'ghp' + '_' + fake(36);
    const found = engine().scan(`token = "${token}"`);
    expect(found.map((f) => f.type)).to.deep.equal(['GITHUB_TOKEN']);
  });
  it('returns nothing for empty text', () => expect(engine().scan('')).to.deep.equal([]));
});

describe('firewall engine for one text (`sluice scan`: lazy patterns, combined sets sized on the first scan)', function () {
  this.timeout(60000);
  const samples = loadCorpus(join(process.cwd(), 'test/fixtures/firewall-corpus'));
  const options = firewallOptions.parse({});
  const gateway = createDetectionEngine(options);
  const oneShot = (text: string) => createDetectionEngine(options, { lazyPatterns: true }).scan(text);

  it('finds what the gateway engine finds in each corpus file (short texts: small sets)', () => {
    const files = [...new Set(samples.map((s) => s.file))];
    expect(files.length).to.be.at.least(10);
    let found = 0;
    for (const file of files) {
      const text = samples.filter((s) => s.file === file).map((s) => s.text).join('\n\n');
      expect(text.length).to.be.below(64 * 1024);
      const expected = gateway.scan(text);
      found += expected.length;
      expect(oneShot(text), file).to.deep.equal(expected);
    }
    expect(found).to.be.at.least(300);
  });

  it('finds what the gateway engine finds in the whole corpus as one text (over 64 KB: the two sets)', () => {
    const text = samples.map((s) => s.text).join('\n\n');
    expect(text.length).to.be.above(64 * 1024);
    expect(oneShot(text)).to.deep.equal(gateway.scan(text));
  });
});
