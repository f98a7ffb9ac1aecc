// The ledger's CPU on agent traffic: Codex CLI's tool-output turn (developer messages, a function
// call and its output, ten tools) with its history resent `--turns` times over, as an agent resends
// it every turn, the usage reported. Each request's record comes from a real exchange
// (sluice/testing's harness, fresh strings per request as a gateway parses them); onRequest's entry
// is timed over a cycle of `--cycle` records, then the cycle is prepared as the writer does, with
// the tokenizer count on (the default). CPU is every thread of this process (the tokenizer's
// included); the stall is the event loop's longest delay (perf_hooks, 1 ms resolution) over one
// more cycle.
//
// `--shape chat` sends the same conversation as a plain Chat history without tools: a prompt the
// count can be set against the bill, so it is read and counted. Each cycle is the conversation's
// next turn (the history and one new message), so the writer's prompt memo (count/prompt-memo.ts)
// finds the history it counted the cycle before; `--no-memo` counts every prompt whole.
//
//   npm run build && node dist/bench/ledger-agent.js --turns 1,20 --runs 7 [--shape chat] [--no-memo]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RequestRecord } from '../core/plugin/request-record.js';
import { DEFAULT_PRICES } from '../core/pricing/default-prices.js';
import { createPriceTable } from '../core/pricing/price-table.js';
import type { JsonObject, JsonValue } from '../core/protocols/types.js';
import { runPlugin } from '../core/testing/index.js';
import { PromptMemo } from '../plugins/ledger/count/prompt-memo.js';
import { createTokenCounter } from '../plugins/ledger/count/tokenizer.js';
import { entryOf, type LedgerEntry } from '../plugins/ledger/entry.js';
import ledger from '../plugins/ledger/index.js';
import { ledgerOptions } from '../plugins/ledger/options.js';
import { prepareEntries } from '../plugins/ledger/prepare.js';
import { median } from './stats.js';
import { threadsCpuUs } from './thread-cpu.js';

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string', default: '1,20' },
    runs: { type: 'string', default: '7' },
    cycle: { type: 'string', default: '500' },
    /** codex: the Codex CLI fixture (tools declared); chat: its texts as a plain Chat history (no tools: counted). */
    shape: { type: 'string', default: 'codex' },
    /** Without the conversations' prompt memo (prompt-memo.ts): every prompt counted whole, as before it. */
    'no-memo': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const CYCLE = Number(args.cycle);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = JSON.parse(readFileSync(path.join(root, 'test/fixtures/translator/responses/codex.responses.tool-output-turn.json'), 'utf8')) as { body: JsonObject };

/** The fixture's texts, in order: what a plain Chat history of the same conversation says. */
function fixtureTexts(): string[] {
  const out: string[] = [];
  for (const item of fixture.body['input'] as JsonObject[]) {
    if (item['type'] === 'message') for (const c of item['content'] as JsonObject[]) { if (typeof c['text'] === 'string') out.push(c['text']); }
    else if (typeof item['arguments'] === 'string') out.push(item['arguments']);
    else if (typeof item['output'] === 'string') out.push(item['output']);
  }
  return out;
}

interface Shape {
  path: string;
  body(turns: number): JsonObject;
  /** The conversation's next turn: the same history and one new message (each cycle is one turn later). */
  next(body: JsonObject, cycle: number): JsonObject;
  answer: JsonObject;
}
const SHAPES: Record<string, Shape> = {
  // The fixture's request with its input history repeated `turns` times (each copy told apart).
  codex: {
    path: '/v1/responses',
    body(turns) {
      const input = fixture.body['input'] as JsonValue[];
      const history: JsonValue[] = [];
      for (let t = 0; t < turns; t++) history.push(...(t === 0 ? input : JSON.parse(JSON.stringify(input).replaceAll('"text":"', `"text":"(turn ${t}) `)) as JsonValue[]));
      return { ...fixture.body, input: history, stream: false };
    },
    next: (body, cycle) => ({ ...body, input: [...(body['input'] as JsonValue[]), { type: 'message', role: 'user', content: [{ type: 'input_text', text: `(cycle ${cycle}) And now?` }] }] }),
    answer: {
      id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-5.1-codex',
      output: [{ id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'The tests pass now: 42 passed, 0 failed.', annotations: [] }] }],
      usage: { input_tokens: 9000, input_tokens_details: { cached_tokens: 8000 }, output_tokens: 14, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 9014 },
    },
  },
  chat: {
    path: '/v1/chat/completions',
    body(turns) {
      const messages: JsonObject[] = [];
      for (let t = 0; t < turns; t++) fixtureTexts().forEach((text, i) => messages.push({ role: i === 0 ? 'system' : i % 2 ? 'user' : 'assistant', content: t ? `(turn ${t}) ${text}` : text }));
      return { model: 'gpt-4.1-mini', messages };
    },
    next: (body, cycle) => ({ ...body, messages: [...(body['messages'] as JsonValue[]), { role: 'user', content: `(cycle ${cycle}) And now?` }] }),
    answer: {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4.1-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The tests pass now: 42 passed, 0 failed.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9000, completion_tokens: 14, total_tokens: 9014 },
    },
  },
};
const shape = SHAPES[args.shape];
if (!shape) throw new Error(`unknown shape ${args.shape} (codex, chat)`);

/** One finished request's record, from a real exchange (its body parsed afresh, as a gateway's is). */
async function agentRecord(body: string, i: number): Promise<RequestRecord> {
  const r = await runPlugin(ledger, { path: shape.path, body: JSON.parse(body) as JsonObject, upstream: { json: shape.answer } });
  const ex = r.exchange;
  const record: RequestRecord = {
    id: `req_${i}`, arrivalKey: `k${Math.random().toString(36).slice(2, 10)}`, time: Date.now(), method: 'POST', path: shape.path, endpoint: ex.endpoint.id, family: ex.clientFamily,
    peerAddress: '127.0.0.1', clientAddress: '127.0.0.1', principal: undefined, sessionId: 'sess-1', model: ex.model, provider: 'openai',
    servedModel: ex.target?.model, attempts: [], stream: false, status: r.status, outcome: r.completion.outcome, errorCode: undefined,
    usage: ex.usage, findings: [], firstByteMs: 400, totalMs: 900, exchange: ex,
  };
  return record;
}

const options = ledgerOptions.parse({});
const counter = createTokenCounter({ timeoutMs: 30_000, onError: (e) => { throw e; } });
const ctx = { options, pricing: createPriceTable(DEFAULT_PRICES), counter, isLoopback: () => false, memo: args['no-memo'] ? undefined : new PromptMemo() };
const fail = (_e: LedgerEntry, err: unknown): never => { throw err; };

try {
  await counter.count('o200k_base', ['warm']); // the encoding's load is start-up, not per row
  console.log(`| turns of history | request body | onRequest's entry, µs a request | prepare, µs CPU a row | prepare, every cycle | longest event-loop stall in a cycle |`);
  console.log('|---:|---:|---:|---:|---|---:|');
  for (const turns of args.turns.split(',').map(Number)) {
    const history = shape.body(turns);
    const body = JSON.stringify(history);
    let cycle = 0;
    // Each cycle's requests are the conversation's next turn: the history resent, one message new.
    const records = async (): Promise<RequestRecord[]> => {
      const turn = JSON.stringify(shape.next(history, cycle++));
      const out: RequestRecord[] = [];
      for (let i = 0; i < CYCLE; i++) out.push(await agentRecord(turn, i));
      return out;
    };
    for (let w = 0; w < 3; w++) await prepareEntries((await records()).map((r) => entryOf(r, options)), ctx, fail); // warm: the JIT, the thread's cache of the history
    const runs: number[] = [];
    const entryRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const recs = await records();
      await new Promise((res) => setTimeout(res, 200)); // the harness's own work settles (its timers, the GC it caused)
      let start = threadsCpuUs('self');
      const entries = recs.map((rec) => entryOf(rec, options));
      entryRuns.push((threadsCpuUs('self') - start) / CYCLE);
      start = threadsCpuUs('self');
      const rows = await prepareEntries(entries, ctx, fail);
      runs.push((threadsCpuUs('self') - start) / CYCLE);
      if (rows[0]!.local_method !== 'o200k_base') throw new Error(`expected a tokenizer count, got ${rows[0]!.local_method}`);
    }
    // One more cycle, untimed, with the event loop's delay watched: the longest stretch prepare held it.
    const watched = (await records()).map((rec) => entryOf(rec, options));
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await new Promise((res) => setTimeout(res, 20)); // the monitor's first tick only starts its clock
    delay.reset();
    await prepareEntries(watched, ctx, fail);
    delay.disable();
    const stallMs = delay.max / 1e6;
    console.log(`| ${turns} | ${(body.length / 1024).toFixed(0)} KB | ${median(entryRuns).toFixed(1)} | ${median(runs).toFixed(1)} | ${runs.map((x) => x.toFixed(1)).join(', ')} | ${stallMs.toFixed(1)} ms |`);
  }
} finally {
  await counter.close();
}
