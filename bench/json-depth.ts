// Cost of the ingress nesting check (core/protocols/json-depth.ts) next to what ingress does anyway
// (decode + JSON.parse), on request shapes clients send, and why it runs before the parse: V8's
// JSON.parse needs seconds for bodies nested millions deep. Bodies are generated deterministically.
// Run: npx tsc -p . && node dist/bench/json-depth.js
import { exceedsJsonDepth } from '../core/protocols/json-depth.js';

const schema = { type: 'object', properties: { path: { type: 'string', description: 'Absolute path' }, lines: { type: 'array', items: { type: 'integer' } } }, required: ['path'] };
const BODIES: Record<string, string> = {
  'chat, short': JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the capital of France?' }] }),
  'agent turn, 40 tools': JSON.stringify({
    model: 'claude-sonnet-4-5', max_tokens: 32000, system: [{ type: 'text', text: 'You are a coding agent. '.repeat(200) }],
    tools: Array.from({ length: 40 }, (_, i) => ({ name: `tool_${i}`, description: 'Reads or edits files in the workspace. '.repeat(8), input_schema: schema })),
    messages: Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `step ${i}: ${'edit the "file" at src\\\\index.ts; '.repeat(20)}` }] })),
  }),
  'many short messages': JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 5000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` })) }),
  'prose, 1 MB': JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18_000) }] }),
  'image, 5 MB base64': JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.alloc(3_750_000, 7).toString('base64')}` } }] }] }),
};

function medianMicros(fn: () => void, budgetMs: number): number {
  for (let i = 0; i < 5; i++) fn();
  const times: number[] = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || times.length < 5) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const rows: string[][] = [];
for (const [name, text] of Object.entries(BODIES)) {
  const bytes = Buffer.from(text);
  const scan = medianMicros(() => exceedsJsonDepth(bytes, 128), 400);
  const parse = medianMicros(() => JSON.parse(bytes.toString('utf8')), 800);
  rows.push([name, `${(bytes.length / 1024).toFixed(0)} KB`, scan.toFixed(1), parse.toFixed(1), `${((scan / parse) * 100).toFixed(1)}%`]);
}
const header = ['body', 'size', 'scan µs', 'decode+parse µs', 'scan/parse'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(`JSON depth scan vs parse, node ${process.version}`);
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of rows) console.log(fmt(row));

console.log('\nJSON.parse of nothing but brackets (what the scan refuses after 129 bytes):');
for (const depth of [10_000, 100_000, 1_000_000]) {
  const text = '['.repeat(depth) + ']'.repeat(depth);
  const t = performance.now();
  JSON.parse(text);
  const parsed = performance.now() - t;
  const bytes = Buffer.from(text);
  const scan = medianMicros(() => exceedsJsonDepth(bytes, 128), 50);
  console.log(`  depth ${depth.toLocaleString('en')} (${(text.length / 1e6).toFixed(2)} MB): parse ${parsed.toFixed(0)} ms, scan ${scan.toFixed(1)} µs`);
}
