// Output scanning as a DeltaTransform: a value split anywhere across deltas is found once and masked
// whole, blocking stops before any of the value is emitted, JSON channels stay valid JSON, and the
// transform holds back only its window plus the unfinished word.
import { expect } from 'chai';
import { GatewayError, type Channel } from '../../../core/index.js';
import { createDetectionEngine } from '../../../plugins/firewall/engine.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';
import { chainTransforms, outputScanTransform, type OutputHooks } from '../../../plugins/firewall/output-scan.js';
import { PlaceholderMap } from '../../../plugins/firewall/placeholders.js';
import { restoreTransform } from '../../../plugins/firewall/restore.js';

const engine = createDetectionEngine(firewallOptions.parse({}));
const TEXT: Channel = { kind: 'text', format: 'text', key: '0:text:0', choice: 0, index: 0 };
const ARGS: Channel = { kind: 'tool_arguments', format: 'json', key: '0:tool:0', choice: 0, index: 0 };
const EMAIL = 'bot@model-mail.net';
const TOKEN = 'ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU';

function hooks(mode: 'monitor' | 'redact' | 'block', found: string[] = [], allow: string[] = []): OutputHooks {
  return {
    reports: (type) => !allow.includes(type),
    found(type) {
      found.push(type);
      if (mode === 'block') throw new GatewayError('SLUICE_E_FIREWALL_BLOCKED', `blocked ${type}`);
    },
    mask: (type) => (mode === 'redact' ? `[REDACTED_${type}]` : undefined),
  };
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('firewall output scanning transform', () => {
  const text = `Sure. Write to ${EMAIL} with the token ${TOKEN} — and nothing else at all, thanks.`;
  const masked = 'Sure. Write to [REDACTED_EMAIL_ADDRESS] with the token [REDACTED_GITHUB_TOKEN] — and nothing else at all, thanks.';

  it('redact: the answer cut at every pair of positions is masked the same, each value counted once', () => {
    for (let i = 0; i <= text.length; i += 3) {
      for (let j = i; j <= text.length; j += 2) {
        const found: string[] = [];
        const t = outputScanTransform(engine, 32, hooks('redact', found));
        const out = t.delta(TEXT, text.slice(0, i)) + t.delta(TEXT, text.slice(i, j)) + t.delta(TEXT, text.slice(j)) + t.end(TEXT);
        expect(out, `cut at ${i}, ${j}`).to.equal(masked);
        expect(found, `cut at ${i}, ${j}`).to.deep.equal(['EMAIL_ADDRESS', 'GITHUB_TOKEN']);
      }
    }
  });

  it('monitor: one character per delta changes nothing and reports each value once', () => {
    const found: string[] = [];
    const t = outputScanTransform(engine, 32, hooks('monitor', found));
    let out = '';
    for (const ch of text) out += t.delta(TEXT, ch);
    expect(out + t.end(TEXT)).to.equal(text);
    expect(found).to.deep.equal(['EMAIL_ADDRESS', 'GITHUB_TOKEN']);
  });

  it('holds back no more than the window and the unfinished word', () => {
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const t = outputScanTransform(engine, 32, hooks('monitor'));
    let received = 0;
    let emitted = 0;
    for (const piece of pieces(long, 4)) {
      received += piece.length;
      emitted += t.delta(TEXT, piece).length;
      // 32 characters, plus at most the word the cut falls into (5 here: "quick", "jumps").
      expect(received - emitted).to.be.at.most(32 + 5);
    }
    expect(emitted + t.end(TEXT).length).to.equal(long.length);
  });

  it('block: throws at the value, before any of it was emitted', () => {
    const t = outputScanTransform(engine, 32, hooks('block'));
    let out = '';
    let error: unknown;
    try {
      for (const piece of pieces(text, 5)) out += t.delta(TEXT, piece);
      out += t.end(TEXT);
    } catch (err) { error = err; }
    expect(error).to.be.instanceOf(GatewayError);
    expect(out).to.contain('Sure.');
    expect(out).not.to.contain('bot@').and.not.to.contain('model-mail');
  });

  it('allowed types are neither reported nor masked', () => {
    const found: string[] = [];
    const t = outputScanTransform(engine, 32, hooks('redact', found, ['EMAIL_ADDRESS']));
    expect(t.delta(TEXT, text) + t.end(TEXT)).to.equal(`Sure. Write to ${EMAIL} with the token [REDACTED_GITHUB_TOKEN] — and nothing else at all, thanks.`);
    expect(found).to.deep.equal(['GITHUB_TOKEN']);
  });

  it('JSON channels stay valid JSON when a value inside a string is masked', () => {
    const args = JSON.stringify({ to: EMAIL, note: `token ${TOKEN}`, n: 3 });
    for (const size of [1, 3, 7, 100]) {
      const t = outputScanTransform(engine, 32, hooks('redact'));
      let out = '';
      for (const piece of pieces(args, size)) out += t.delta(ARGS, piece);
      out += t.end(ARGS);
      expect(JSON.parse(out), `pieces of ${size}`).to.deep.equal({ to: '[REDACTED_EMAIL_ADDRESS]', note: 'token [REDACTED_GITHUB_TOKEN]', n: 3 });
    }
  });

  it('chained before restore: the client\'s own values come back, the model\'s own are masked', () => {
    const map = new PlaceholderMap();
    map.placeholderFor('EMAIL_ADDRESS', 'ann.lee@corp-mail.io');
    const answer = `Ask [EMAIL_ADDRESS_1] or ${EMAIL}.`;
    for (let i = 0; i <= answer.length; i++) {
      const t = chainTransforms(outputScanTransform(engine, 32, hooks('redact')), restoreTransform(map));
      const out = t.delta(TEXT, answer.slice(0, i)) + t.delta(TEXT, answer.slice(i)) + t.end(TEXT);
      expect(out, `cut at ${i}`).to.equal('Ask ann.lee@corp-mail.io or [REDACTED_EMAIL_ADDRESS].');
    }
  });
});
