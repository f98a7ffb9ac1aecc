// Instructions, not time: each variant's gateway (the ledger bench's chain) runs under valgrind's
// callgrind, is warmed with `--warm` requests, its counters are zeroed, it serves `--requests`
// more, and the counters are dumped. Instructions per request, by where they were spent, are the
// same from run to run whatever else the machine is doing — what CPU-time figures on a shared
// machine are not — so the ledger's own work can be told apart from the noise. They are not
// time: a cache miss or a stall costs time and no instruction. Two cautions from using it:
// - valgrind runs every thread on one core about 50× slower, so the JIT is still compiling long
//   after a real gateway has settled, and idle threads age code out (the tokenizer's regular
//   expression is flushed and compiled again): the `compiler` and `regexp compile` rows measure
//   valgrind's time dilation more than the gateway; read the rest.
// - a window of a few thousand requests holds a handful of major GCs, so the `gc` row is lumpy.
//
//   npm run build && node dist/bench/ledger-instructions.js --variants none,default --modes json,stream
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { benchBody, benchConfig, freePort } from './ledger-chain.js';
import { startMockUpstream } from './mock-openai-upstream.js';

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: 'none,default' },
    modes: { type: 'string', default: 'json,stream' },
    warm: { type: 'string', default: '3000' },
    requests: { type: 'string', default: '3000' },
    /** Also list the N named functions (JIT code has only addresses, which differ between processes) whose instructions a request moved most against the first variant. */
    functions: { type: 'string', default: '0' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LEDGER: Record<string, string> = {
  none: '',
  off: '  - use: ledger\n    with: { flush_interval_ms: 60000, count: { enabled: false } }\n',
  // A long interval: cycles come every batch_size (500) rows, as at hundreds of requests a second.
  default: '  - use: ledger\n    with: { flush_interval_ms: 60000 }\n',
};
const VARIANTS = args.variants.split(',');
for (const v of VARIANTS) if (LEDGER[v] === undefined) throw new Error(`unknown variant ${v} (known: ${Object.keys(LEDGER).join(', ')})`);

/** Where instructions went, by the name of the function that ran them (self cost, not inclusive). */
const CATEGORIES: [string, RegExp][] = [
  ['regexp compile', /CharacterRange|UnicodeSet|u_charType|icu_|Irregexp|RegExpCompiler|RegExpParser/],
  ['compiler', /compiler::|Pipeline|Maglev|OptimizedCompilation/],
  ['gc', /Heap|Scaveng|MarkCompact|Marking|Sweep|Evacuat|cppgc|GCTracer|MemoryReducer|PointersUpdating|RememberedSet|SlotSet|MemoryAllocator|PagedSpace|NewSpace|SemiSpace/],
  ['sqlite', /^sqlite3|sqlite3[A-Z]|^pager|[bB]tree|^wal|^vdbe|^Vdbe/],
  ['better-sqlite3 binding', /^Binder::|^Data::|^Statement::|^v8::Value::Is|^v8::Value::To/],
  ['v8 strings (UTF-8, hashing)', /Utf8|ComputeAndSetRawHash|StringHasher|StringTable|InternalizeString/],
  ['JIT code', /^0x[0-9a-f]+$/],
  ['builtins', /^Builtins_/],
  ['libc', /memcpy|memmove|memset|malloc|free|_int_|__GI_|^cfree/],
  ['v8 runtime', /^v8::/],
  ['node, libuv, llhttp', /node::|^uv_|^uv__|llhttp/],
];
const category = (fn: string) => CATEGORIES.find(([, re]) => re.test(fn))?.[0] ?? 'other';

/** Self cost per function name from a callgrind dump (cost lines after `calls=` are inclusive: skipped). */
function selfCost(file: string): Map<string, number> {
  const names = new Map<string, string>();
  const out = new Map<string, number>();
  let fn = '';
  let afterCall = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const named = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (named) {
      if (named[2]) names.set(named[1]!, named[2].replace(/^\?\?\?:/, ''));
      if (line.startsWith('fn=')) fn = names.get(named[1]!) ?? named[1]!;
      continue;
    }
    if (line.startsWith('calls=')) { afterCall = true; continue; }
    if (!/^[0-9+\-*]/.test(line)) continue;
    if (afterCall) { afterCall = false; continue; }
    const cost = Number(line.split(' ')[1]);
    if (Number.isFinite(cost)) out.set(fn, (out.get(fn) ?? 0) + cost);
  }
  return out;
}

function load(url: string, stream: boolean, amount: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: benchBody(stream), connections: 4, amount, timeout: 120 },
      (err, r) => { if (err) reject(err); else if (r.non2xx) reject(new Error(`${r.non2xx} non-2xx answers`)); else resolve(r.requests.total); });
  });
}

/** Instructions a request, by category and by function. */
interface Measured { categories: Map<string, number>; functions: Map<string, number> }

async function measure(variant: string, stream: boolean, upstream: string): Promise<Measured> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-instr-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'sluice.yaml'), benchConfig({ port, upstream, dir, ledger: LEDGER[variant]! }));
  const out = path.join(dir, 'callgrind.out');
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, path.join(root, 'bin/sluice.js'), 'start', '--config', path.join(dir, 'sluice.yaml')],
    { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, NODE_ENV: 'production' } });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${url}/health`)).ok) break; } catch { /* not yet */ }
      if (i > 1200) throw new Error('the gateway under valgrind did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
    await load(url, stream, Number(args.warm));
    execFileSync('callgrind_control', ['--zero', String(child.pid)]);
    const served = await load(url, stream, Number(args.requests));
    execFileSync('callgrind_control', ['--dump=measured', String(child.pid)]);
    const categories = new Map<string, number>();
    const functions = new Map<string, number>();
    for (const [fn, cost] of selfCost(`${out}.1`)) {
      const c = category(fn);
      categories.set(c, (categories.get(c) ?? 0) + cost / served);
      functions.set(fn, cost / served);
    }
    return { categories, functions };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const mock = await startMockUpstream();
try {
  for (const mode of args.modes.split(',')) {
    // Two gateways at a time: valgrind runs each on one core.
    const measured = new Map<string, Measured>();
    for (let i = 0; i < VARIANTS.length; i += 2) {
      const pair = VARIANTS.slice(i, i + 2);
      const got = await Promise.all(pair.map((v) => measure(v, mode === 'stream', mock.url)));
      pair.forEach((v, k) => measured.set(v, got[k]!));
    }
    const results = new Map([...measured].map(([v, m]) => [v, m.categories]));
    const base = results.get(VARIANTS[0]!)!;
    const cats = [...new Set([...results.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => (results.get(VARIANTS.at(-1)!)!.get(b) ?? 0) - (base.get(b) ?? 0) - ((results.get(VARIANTS.at(-1)!)!.get(a) ?? 0) - (base.get(a) ?? 0)));
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${mode}: instructions a request (${args.requests} requests after ${args.warm} of warm-up), Δ against ${VARIANTS[0]}`);
    console.log(`| where | ${VARIANTS.map((v) => `${v} | Δ`).join(' | ')} |`);
    console.log(`|---|${VARIANTS.map(() => '---:|---:').join('|')}|`);
    for (const c of ['total', ...cats]) {
      const of = (m: Map<string, number>) => (c === 'total' ? total(m) : m.get(c) ?? 0);
      console.log(`| ${c} | ${VARIANTS.map((v) => `${Math.round(of(results.get(v)!)).toLocaleString('en')} | ${v === VARIANTS[0] ? '—' : Math.round(of(results.get(v)!) - of(base)).toLocaleString('en')}`).join(' | ')} |`);
    }
    const top = Number(args.functions);
    for (const v of top > 0 ? VARIANTS.slice(1) : []) {
      const before = measured.get(VARIANTS[0]!)!.functions;
      const after = measured.get(v)!.functions;
      const moved = [...new Set([...before.keys(), ...after.keys()])].filter((fn) => category(fn) !== 'JIT code')
        .map((fn) => ({ fn, delta: (after.get(fn) ?? 0) - (before.get(fn) ?? 0) }))
        .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta)).slice(0, top);
      console.log(`\n${mode}, ${v} against ${VARIANTS[0]}: the ${top} functions that moved most (instructions a request, self cost)`);
      console.log('| function | category | Δ |\n|---|---|---:|');
      for (const { fn, delta } of moved) console.log(`| \`${fn.slice(0, 120).replace(/\|/g, '\\|')}\` | ${category(fn)} | ${Math.round(delta).toLocaleString('en')} |`);
    }
  }
} finally {
  await mock.close();
}
