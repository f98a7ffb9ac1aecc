// SSE decoder cost per MB by event size: a 16 MB stream made of 1 KB, 64 KB, 1 MB, 4 MB or 16 MB
// events (`data: {"b64_json":"…"}`, as an image model sends a picture), fed in 16 KB chunks like a
// socket delivers them. Linear means the same cost per MB whatever the event size.
//
// Three decoders, in the same run:
//   decoder   core's SseDecoder.push on 16 KB text chunks (the framing alone)
//   pipeline  core's decodeSse on 16 KB byte chunks: UTF-8 decoding, framing and JSON.parse of each
//             event, i.e. what a provider's stream costs before any plugin sees it
//   legacy    the decoder as it was before issue 8 item 2 (copied below, for comparison only): it
//             appended each chunk to one buffer and re-scanned the whole buffer on every chunk
//
// Run: npm run bench:sse   (or: npx tsc -p . && node dist/bench/sse-decoder.js [--no-legacy])
import os from 'node:os';
import { SseDecoder, type RawSseEvent } from '../core/protocols/sse.js';
import { decodeSse } from '../core/protocols/sse-events.js';

const KB = 1024;
const MB = 1024 * KB;
const STREAM = 16 * MB;
const CHUNK = 16 * KB;
const EVENT_SIZES = [1 * KB, 64 * KB, 1 * MB, 4 * MB, 16 * MB];
const withLegacy = !process.argv.includes('--no-legacy');

/** The legacy decoder, verbatim in behaviour (quadratic in line length). Do not use outside this bench. */
class LegacySseDecoder {
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  private pendingCR = false;

  push(chunk: string): RawSseEvent[] {
    const out: RawSseEvent[] = [];
    let text = chunk;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    const buf = this.buffer;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < buf.length) { if (buf.charCodeAt(i + 1) === 10) i++; }
        else this.pendingCR = true;
      }
      start = i + 1;
      this.line(line, out);
    }
    this.buffer = buf.slice(start);
    return out;
  }

  private line(line: string, out: RawSseEvent[]): void {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event, data: this.data.join('\n'), id: this.id });
      this.event = undefined;
      this.id = undefined;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }
}

/** A 16 MB stream of events of `eventSize` bytes each, as bytes and as 16 KB chunks of both kinds. */
function stream(eventSize: number): { bytes: Uint8Array[]; text: string[]; events: number } {
  const head = 'data: {"b64_json":"';
  const tail = '"}\n\n';
  const event = head + 'QUJD'.repeat(Math.ceil(eventSize / 4)).slice(0, eventSize - head.length - tail.length) + tail;
  const events = STREAM / eventSize;
  const whole = Buffer.from(event.repeat(events), 'latin1');
  const bytes: Uint8Array[] = [];
  const text: string[] = [];
  for (let i = 0; i < whole.length; i += CHUNK) {
    bytes.push(whole.subarray(i, i + CHUNK));
    text.push(whole.toString('latin1', i, Math.min(i + CHUNK, whole.length)));
  }
  return { bytes, text, events };
}

function runDecoder(decoder: { push(chunk: string): RawSseEvent[] }, chunks: string[]): number {
  let n = 0;
  for (const c of chunks) n += decoder.push(c).length;
  return n;
}

async function runPipeline(chunks: Uint8Array[]): Promise<number> {
  let n = 0;
  for await (const _ of decodeSse((async function* () { yield* chunks; })())) n++;
  return n;
}

/** Median wall time of `runs` runs, in ms; checks every run decoded every event. */
async function time(runs: number, expected: number, fn: () => number | Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const n = await fn();
    times.push(performance.now() - started);
    if (n !== expected) throw new Error(`decoded ${n} events, expected ${expected}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const label = (size: number) => size >= MB ? `${size / MB} MB` : `${size / KB} KB`;
const perMb = (ms: number) => (ms / (STREAM / MB)).toFixed(2);

const rows: string[][] = [];
for (const size of EVENT_SIZES) {
  const s = stream(size);
  const decoder = await time(5, s.events, () => runDecoder(new SseDecoder(), s.text));
  const pipeline = await time(5, s.events, () => runPipeline(s.bytes));
  // The legacy decoder takes tens of seconds on the largest events: one run there.
  const legacy = withLegacy ? await time(size >= MB ? 1 : 3, s.events, () => runDecoder(new LegacySseDecoder(), s.text)) : undefined;
  const row = [label(size), String(s.events), perMb(decoder), perMb(pipeline), legacy === undefined ? '—' : perMb(legacy), legacy === undefined ? '—' : `${(legacy / decoder).toFixed(0)}×`];
  rows.push(row);
  console.error(`  ${row.join('  ')}`);
}

const header = ['event size', 'events in 16 MB', 'decoder ms/MB', 'pipeline ms/MB', 'legacy ms/MB', 'legacy ÷ decoder'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(`SSE decoder — 16 MB per case in ${CHUNK / KB} KB chunks, median of 5 (legacy: 3, 1 for ≥ 1 MB events); node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}`);
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of rows) console.log(fmt(row));
