import { expect } from 'chai';
import RE2 from 're2';
import { join } from 'node:path';
import { compileRule, KeywordIndex, requiredPrefix, RuleSet, ScanContext, runRule } from '../../../plugins/firewall/rule.js';
import { SECRET_RULES } from '../../../plugins/firewall/detectors/secrets.js';
import { CONTACT_PII_RULES } from '../../../plugins/firewall/detectors/pii-contact.js';
import { NUMBER_PII_RULES } from '../../../plugins/firewall/detectors/pii-numbers.js';
import { NATIONAL_ID_RULES } from '../../../plugins/firewall/detectors/pii-national.js';
import { networkRules } from '../../../plugins/firewall/detectors/pii-network.js';
import { loadCorpus } from '../../fixtures/firewall-corpus/load.js';
import type { Finding, RuleSpec } from '../../../plugins/firewall/types.js';
import { engine, fake } from './helpers.js';

describe('firewall rule engine', () => {
  it('finds gate keywords case-insensitively in one pass, escaping regex syntax', () => {
    const rules: RuleSpec[] = [
      { type: 'A', pattern: 'x', score: 1, keywords: ['node.js', '-u'] },
      { type: 'B', pattern: 'y', score: 1, keywords: ['schlüssel', '?'] },
    ];
    const index = new KeywordIndex(rules);
    const ids = (kws: string[]) => index.idsOf(kws)!;
    const present = index.present('Run NODE.JS with curl -U and the API-SCHLÜSSEL');
    expect(ids(['node.js', '-u', 'schlüssel']).every((id) => present.has(id))).to.equal(true);
    expect(present.has(ids(['?'])[0]!)).to.equal(false);
    expect(index.present('nodexjs').has(ids(['node.js'])[0]!)).to.equal(false);
  });

  it('runs a gated rule only when one of its keywords occurs', () => {
    const rule = compileRule({ type: 'T', pattern: String.raw`\b[0-9a-f]{8}\b`, score: 1, keywords: ['ticket'] }, 'custom');
    const set = new RuleSet([rule]);
    const run = (text: string) => {
      const out: Finding[] = [];
      set.run(text, out);
      return out.map((f) => text.slice(f.start, f.end));
    };
    expect(run('id deadbeef')).to.deep.equal([]);
    expect(run('TICKET deadbeef')).to.deep.equal(['deadbeef']);
  });

  it('skips a match its prefilter rejects without validating it', () => {
    let validated = 0;
    const rule = compileRule({
      type: 'T', pattern: String.raw`\bk=(\w+)`, group: 1, score: 1,
      prefilter: (m) => m !== 'k=skip',
      validate: () => (validated++, true),
    }, 'custom');
    const out: Finding[] = [];
    new RuleSet([rule]).run('k=skip k=keep', out);
    expect(out.map((f) => [f.start, f.end])).to.deep.equal([[9, 13]]);
    expect(validated).to.equal(1);
  });

  it('falls back to per-rule runs when the RE2.Set match fails (out of DFA memory), with the same findings', () => {
    const text = `mail bob@corp.io, card 4111 1111 1111 1111, key ghp${'_'}${fake(36)}, password = "Qm7${fake(10)}#x"`;
    const e = engine();
    const expected = e.scan(text);
    const proto = RE2.Set.prototype as unknown as { match: (s: string) => number[] };
    const original = proto.match;
    proto.match = () => {
      throw new Error('RE2.Set matching failed: out of memory.');
    };
    try {
      expect(e.scan(text)).to.deep.equal(expected);
    } finally {
      proto.match = original;
    }
    expect(expected.map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS', 'CREDIT_CARD', 'GITHUB_TOKEN', 'GENERIC_SECRET']);
  });

  it('dispatch through the RE2.Sets (with triggers) finds exactly what running every rule finds', () => {
    const rules = [
      ...SECRET_RULES.map((spec) => compileRule(spec, 'secrets')),
      ...[...CONTACT_PII_RULES, ...NUMBER_PII_RULES, ...NATIONAL_ID_RULES, ...networkRules({ ignorePrivateIps: true })].map((spec) => compileRule(spec, 'pii')),
    ];
    const set = new RuleSet(rules);
    const key = (f: Finding) => `${f.type}@${f.start}-${f.end}`;
    const everyRule = (text: string) => {
      const out: Finding[] = [];
      const ctx = new ScanContext(text);
      for (const rule of rules) runRule({ ...rule, keywordIds: undefined }, ctx, out);
      return out.map(key).sort();
    };
    const viaSets = (text: string) => {
      const out: Finding[] = [];
      set.run(text, out);
      return out.map(key).sort();
    };
    const samples = loadCorpus(join(process.cwd(), 'test/fixtures/firewall-corpus')).map((s) => s.text);
    for (const text of samples) expect(viaSets(text), text.slice(0, 80)).to.deep.equal(everyRule(text));
    const long = samples.join('\n\n').slice(0, 40000);
    expect(viaSets(long)).to.deep.equal(everyRule(long));
  });

  it('every built-in pattern compiles in both forms, so a lazily compiled rule (sluice scan) cannot fail late, and finds the same', () => {
    const specs: [RuleSpec, string][] = [
      ...SECRET_RULES.map((spec): [RuleSpec, string] => [spec, 'secrets']),
      ...[...CONTACT_PII_RULES, ...NUMBER_PII_RULES, ...NATIONAL_ID_RULES, ...networkRules({ ignorePrivateIps: true })].map((spec): [RuleSpec, string] => [spec, 'pii']),
    ];
    for (const [spec] of specs) {
      const rule = compileRule(spec, 'x', spec.type, false);
      expect(() => { rule.global(); rule.sticky(); if (spec.trigger !== undefined) new RE2(spec.trigger); }, spec.type).not.to.throw();
    }
    const eager = new RuleSet(specs.map(([spec, d]) => compileRule(spec, d)));
    const lazy = new RuleSet(specs.map(([spec, d]) => compileRule(spec, d, spec.type, false)));
    const run = (set: RuleSet, text: string) => { const out: Finding[] = []; set.run(text, out); return out.map((f) => `${f.type}@${f.start}-${f.end}`).sort(); };
    const samples = loadCorpus(join(process.cwd(), 'test/fixtures/firewall-corpus')).map((s) => s.text);
    for (const text of samples) expect(run(lazy, text), text.slice(0, 80)).to.deep.equal(run(eager, text));
  });

  it('a custom pattern that RE2 cannot compile fails when its rule is compiled, naming it', () => {
    expect(() => compileRule({ type: 'T', pattern: '(?<=x)y', score: 1 }, 'custom', 'lookbehind')).to.throw(/pattern "lookbehind" does not compile with RE2/);
  });
});

describe('firewall rule engine: the prefix every match of a pattern starts with', () => {
  it('reads plain characters after a leading \\b, up to a class, group, escape sequence, wildcard or optional character', () => {
    const cases: Array<[string, string]> = [
      [String.raw`\bsk-ant-(?:api|admin)\d{2}`, 'sk-ant-'],
      [String.raw`\bgh[pousr]_[A-Za-z0-9]{36}`, 'gh'],
      [String.raw`https://hooks\.slack\.com/(?:services)/`, 'https://hooks.slack.com/'],
      [String.raw`access_token\$(?:production|sandbox)\$`, 'access_token$'],
      [String.raw`\bdp\.(?:pt|st)`, 'dp.'],
      [String.raw`abc?d`, 'ab'],
      [String.raw`abc*d`, 'ab'],
      [String.raw`abc{2}d`, 'ab'],
      [String.raw`abc+d`, 'abc'],
      [String.raw`ab.c`, 'ab'],
      [String.raw`ab\dc`, 'ab'],
      [String.raw`ab\bc`, 'ab'],
      [String.raw`ab\x41`, 'ab'],
      [String.raw`ab(?i)cd`, 'ab'],
      [String.raw`(?i)abc`, ''],
      [String.raw`[ab]cd`, ''],
      [String.raw`ab^`, 'ab'],
      // Alternation at the top level: no prefix every match shares.
      [String.raw`\bsk-abc|xyz`, ''],
      [String.raw`abc(?:d|e)|f`, ''],
      // A bar that is not an alternation.
      [String.raw`abc\|d`, 'abc|d'],
      [String.raw`abc[|]d`, 'abc'],
      [String.raw`abc[]|]d`, 'abc'],
      [String.raw`abc[^]|]d`, 'abc'],
      [String.raw`abc[\]|]d`, 'abc'],
      [String.raw`abc(?:d|e)`, 'abc'],
    ];
    for (const [pattern, prefix] of cases) expect(requiredPrefix(pattern), pattern).to.equal(prefix);
  });

  it('is in every match of every built-in rule on the labelled corpus', () => {
    const rules = [...SECRET_RULES, ...CONTACT_PII_RULES, ...NUMBER_PII_RULES, ...NATIONAL_ID_RULES, ...networkRules({ ignorePrivateIps: false })];
    const text = loadCorpus(join(process.cwd(), 'test/fixtures/firewall-corpus')).map((s) => s.text).join('\n\n');
    let checked = 0;
    for (const rule of rules) {
      const prefix = requiredPrefix(rule.pattern);
      if (!prefix) continue;
      for (const match of text.match(new RE2(rule.pattern, 'g')) ?? []) {
        expect(match.startsWith(prefix), `${rule.type}: ${rule.pattern}`).to.equal(true);
        checked++;
      }
    }
    expect(checked).to.be.at.least(100);
  });
});
