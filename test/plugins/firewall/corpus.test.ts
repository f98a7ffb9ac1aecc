// The labelled corpus (test/fixtures/firewall-corpus) through the engine `sluice scan` uses, with
// default options: recall per class and false-positive rate must meet the issue's targets.
import { expect } from 'chai';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import firewall from '../../../plugins/firewall/index.js';
import { testCommandHost } from '../../helpers/command-host.js';
import { createDetectionEngine } from '../../../plugins/firewall/engine.js';
import { classOf, loadCorpus } from '../../fixtures/firewall-corpus/load.js';
import { scoreCorpus, type CorpusScore } from '../../fixtures/firewall-corpus/score.js';

const TARGETS = { secretRecall: 0.97, piiRecall: 0.95, falsePositiveRate: 0.01 };

function summary(s: CorpusScore): string {
  const pct = (x: number) => (100 * x).toFixed(1) + '%';
  return [
    `secrets: ${s.found.secret}/${s.positives.secret} recall ${pct(s.recall.secret)}`,
    `PII: ${s.found.pii}/${s.positives.pii} recall ${pct(s.recall.pii)}`,
    `negatives: ${s.flaggedNegatives}/${s.negatives} flagged, false-positive rate ${pct(s.falsePositiveRate)}`,
    `precision ${pct(s.precision)} (${s.truePositiveFindings}/${s.findings} findings), type agreement ${pct(s.typeAgreement)}, exact spans ${pct(s.spanAgreement)}`,
  ].join('\n      ');
}

describe('firewall detectors on the labelled corpus', function () {
  this.timeout(60000);
  const samples = loadCorpus(join(process.cwd(), 'test/fixtures/firewall-corpus'));
  const options = firewall.options.parse({});
  const engine = createDetectionEngine(options);
  const score = scoreCorpus(samples, (text) => engine.scan(text), classOf);

  it('is large enough to mean something (≥ 300 positives, ≥ 300 negatives)', () => {
    expect(score.positives.secret + score.positives.pii).to.be.at.least(300);
    expect(score.positives.secret).to.be.at.least(150);
    expect(score.positives.pii).to.be.at.least(100);
    expect(score.negatives).to.be.at.least(300);
  });

  it(`meets the targets: secret recall ≥ ${TARGETS.secretRecall}, PII recall ≥ ${TARGETS.piiRecall}, false-positive rate ≤ ${TARGETS.falsePositiveRate}`, () => {
    console.log(`      ${summary(score)}`);
    const misses = score.misses.map((m) => `${m.sample} ${m.type}${m.foundAs ? ` (found as ${m.foundAs})` : ''}`);
    const flagged = score.extras.filter((e) => e.negative).map((e) => `${e.sample} ${e.type}`);
    expect(score.recall.secret, `missed:\n${misses.join('\n')}`).to.be.at.least(TARGETS.secretRecall);
    expect(score.recall.pii, `missed:\n${misses.join('\n')}`).to.be.at.least(TARGETS.piiRecall);
    expect(score.falsePositiveRate, `flagged negatives:\n${flagged.join('\n')}`).to.be.at.most(TARGETS.falsePositiveRate);
  });

  it('covers what it finds: the finding spans the whole value, and little more (≥ 0.97 of found entities)', () => {
    const partial = score.partial.map((m) => `${m.sample} ${m.type}`);
    expect(score.spanAgreement, `not covered exactly:\n${partial.join('\n')}`).to.be.at.least(0.97);
    expect(score.partial.length, `only partly covered:\n${partial.join('\n')}`).to.be.at.most(2);
  });

  it('reports few findings outside the labels in positive samples either (precision ≥ 0.97)', () => {
    const extra = score.extras.map((e) => `${e.sample} ${e.type}`);
    expect(score.precision, `unlabelled findings:\n${extra.join('\n')}`).to.be.at.least(0.97);
  });

  it('`sluice scan --json` reports exactly what the engine does, without printing values', async () => {
    // One document with several entity kinds through the real command, to tie the corpus figures
    // to the interface the held-out corpus is run through.
    const sample = samples.find((s) => s.id.endsWith(':tool-customer-lookup'))!;
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    stdin.end(sample.text);
    const code = await firewall.commands!.scan!.run(['--json'], options, { stdin, stdout, stderr: new PassThrough() }, testCommandHost());
    expect(code).to.equal(1);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; start: number; end: number });
    expect(lines.map((l) => [l.type, l.start, l.end])).to.deep.equal(engine.scan(sample.text).map((f) => [f.type, f.start, f.end]));
    for (const label of sample.labels) expect(out).to.not.include(sample.text.slice(label.start, label.end));
  });
});
