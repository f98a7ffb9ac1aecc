// `sluice prices`: the table the costs come from, as charged (defaults filled in), and which entry
// prices a model — the config's override before the shipped list, exact names before globs.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../core/cli/main.js';
import { PRICES_AS_OF } from '../../../core/pricing/default-prices.js';
import { tempDir } from '../../helpers/gateway.js';

async function prices(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(['prices', ...args], { out: (l) => { stdout += l + '\n'; }, err: (l) => { stderr += l + '\n'; } });
  return { status, stdout, stderr };
}

const config = () => {
  const file = path.join(tempDir('sluice-prices-'), 'sluice.yaml');
  writeFileSync(file, [
    'providers:',
    '  local: { type: loopback }',
    '  resold: { type: openai, base_url: "http://127.0.0.1:9", prices: { input: 1, output: 2 } }',
    'pricing:',
    '  gpt-4o*: { input: 2, output: 8 }',
    '  in-house: { input: 0.5, output: 1, cached_read: 0.1, long_context: { above_input_tokens: 1000, input: 1, output: 2 } }',
    'chain:',
    '  - use: router',
    '    with: { default: local }',
  ].join('\n'));
  return file;
};

describe('sluice prices', () => {
  it('names the entry that prices each model, as charged; an unknown model is unpriced', async () => {
    const { status, stdout } = await prices(['--config', config(), '--json', 'gpt-4o', 'claude-sonnet-4-5-20250929', 'in-house', 'mystery-1']);
    expect(status).to.equal(0);
    const out = JSON.parse(stdout) as { shipped_as_of: string; prices: Record<string, unknown>[] };
    expect(out.shipped_as_of).to.equal(PRICES_AS_OF);
    const [gpt, claude, own, mystery] = out.prices;
    // The config's glob wins over the shipped exact name; unset classes at their defaults.
    expect(gpt).to.deep.equal({ model: 'gpt-4o', source: 'config', pattern: 'gpt-4o*', input: 2, output: 8, cached_read: 2, cache_write: 2, cache_write_1h: 4, reasoning: 8, long_context: null, tiers: null, web_search: null, web_fetch: null });
    expect(claude).to.deep.include({ source: 'shipped', pattern: 'claude-sonnet-4-5*', input: 3, cache_write: 3.75, cache_write_1h: 6 });
    expect(claude!['long_context']).to.include({ above_input_tokens: 200_000, input: 6, output: 22.5 });
    expect(own!['long_context']).to.deep.equal({ above_input_tokens: 1000, input: 1, output: 2, cached_read: 1, cache_write: 1, cache_write_1h: 2, reasoning: 2 });
    expect(mystery).to.deep.equal({ model: 'mystery-1', source: 'unpriced' });
  });

  it('lists the config, the shipped list and providers\' own prices as a table, dated', async () => {
    const { status, stdout } = await prices(['-c', config()]);
    expect(status).to.equal(0);
    const lines = stdout.split('\n');
    expect(lines[0]).to.match(/^SOURCE\s+PATTERN\s+INPUT\s+OUTPUT\s+CACHED_READ/);
    expect(lines[1]).to.match(/^config\s+gpt-4o\*\s+2\s+8\b/);
    expect(lines.find((l) => /^shipped\s+gpt-4o-mini\s/.test(l))).to.match(/0\.15\s+0\.6\s+0\.075/);
    expect(lines.find((l) => l.startsWith('provider resold'))).to.match(/\*\s+1\s+2\b/);
    expect(stdout).to.include(`as of ${PRICES_AS_OF}`);
  });

  it('a bad flag is a usage error', async () => {
    const { status, stderr } = await prices(['--nope']);
    expect(status).to.equal(1);
    expect(stderr).to.match(/unknown option '--nope'/).and.to.include('Usage: sluice prices');
  });
});
