// `sluice scan [FILE|-] [--json]`: runs the configured detectors over a file or stdin and prints
// the findings — a table, or one JSON object per line. Exit 1 when something is found, 0 when
// nothing is, 2 on error. Values are never printed whole: only a masked preview.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CommandIO } from '../../core/index.js';
import type { FirewallOptions } from './options.js';
import type { Finding } from './types.js';
import { createDetectionEngine } from './engine.js';

import { SCAN_HELP, SCAN_USAGE } from './scan-usage.js';

export { SCAN_USAGE };

/** Shows a little of each end, never the whole value: "sk-p********x9". */
export function maskValue(value: string): string {
  const chars = [...value];
  if (chars.length <= 4) return '*'.repeat(chars.length);
  const keep = Math.min(4, Math.floor(chars.length / 6));
  const hidden = Math.min(chars.length - 2 * keep, 12);
  return chars.slice(0, keep).join('') + '*'.repeat(Math.max(hidden, 1)) + chars.slice(chars.length - keep).join('');
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function formatTable(text: string, findings: Finding[]): string {
  const rows = findings.map((f) => [f.type, String(f.start), String(f.end), f.score.toFixed(2), f.detector, maskValue(text.slice(f.start, f.end))]);
  const header = ['TYPE', 'START', 'END', 'SCORE', 'DETECTOR', 'PREVIEW'];
  // A loop, not Math.max(...rows): spreading 200k rows overflows the call stack.
  const widths = header.map((h) => h.length);
  for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i]!.length > widths[i]!) widths[i] = row[i]!.length;
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function write(stream: NodeJS.WritableStream, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(data)) resolve();
    else stream.once('drain', () => resolve());
  });
}

export async function runScan(args: string[], options: FirewallOptions, io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    await write(io.stderr, `sluice scan: ${(err as Error).message}\nusage: ${SCAN_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    await write(io.stdout, `${SCAN_HELP}\n`);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    await write(io.stderr, `sluice scan: expected at most one FILE, got ${parsed.positionals.length}\nusage: ${SCAN_USAGE}\n`);
    return 2;
  }
  const source = parsed.positionals[0] ?? '-';
  let text: string;
  let findings: Finding[];
  try {
    text = source === '-' ? await readStream(io.stdin) : await readFile(source, 'utf8');
    // One text, scanned once: only the rules it triggers need their own patterns compiled.
    const engine = createDetectionEngine(options, {
      lazyPatterns: true,
      onSidecarError: (error) => void io.stderr.write(`sluice scan: warning: ${error.message}; using built-in detectors only\n`),
    });
    findings = options.presidio ? await engine.scanWithSidecar(text) : engine.scan(text);
  } catch (err) {
    await write(io.stderr, `sluice scan: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.values.json) {
    let out = '';
    for (const f of findings) {
      out += JSON.stringify({ type: f.type, start: f.start, end: f.end, score: f.score, detector: f.detector, preview: maskValue(text.slice(f.start, f.end)) }) + '\n';
    }
    if (out) await write(io.stdout, out);
  } else if (findings.length === 0) {
    await write(io.stdout, 'no findings\n');
  } else {
    await write(io.stdout, formatTable(text, findings));
  }
  return findings.length > 0 ? 1 : 0;
}
