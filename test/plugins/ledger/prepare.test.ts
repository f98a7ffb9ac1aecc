// From a finished exchange to its row: where the tokens came from (reported, partial, estimated,
// none), the independent count (a tokenizer for OpenAI models, an estimate for the rest) and the
// drift flag, which looks only at what the local count could see. Uses sluice/testing's harness.
import { expect } from 'chai';
import { createLogger } from '../../../core/observability/logger.js';
import type { RequestRecord } from '../../../core/plugin/request-record.js';
import { DEFAULT_PRICES } from '../../../core/pricing/default-prices.js';
import { createPriceTable } from '../../../core/pricing/price-table.js';
import { observeStream } from '../../../core/protocols/observe-stream.js';
import { isUntouchedStream, markUntouchedStream } from '../../../core/protocols/raw-json.js';
import type { JsonObject, StreamEvent } from '../../../core/protocols/types.js';
import { runPlugin } from '../../../core/testing/index.js';
import { KnownCounts } from '../../../plugins/ledger/count/known-counts.js';
import { PromptMemo } from '../../../plugins/ledger/count/prompt-memo.js';
import { createTokenCounter, type TokenCounter } from '../../../plugins/ledger/count/tokenizer.js';
import ledger from '../../../plugins/ledger/index.js';
import { ledgerOptions } from '../../../plugins/ledger/options.js';
import { entryOf } from '../../../plugins/ledger/entry.js';
import { prepareEntries, prepareRow } from '../../../plugins/ledger/prepare.js';
import { plainChatAnswer, plainChatTexts } from '../../../core/index.js';
import { declaresTools, textOnlyBody } from '../../../plugins/ledger/texts.js';
import { createRequestView, createResponseView } from '../../../core/protocols/view/index.js';
import type { JsonValue } from '../../../core/protocols/types.js';

const PROMPT = 'Summarise the plot of Hamlet in one sentence, please.';
const ANSWER = 'A Danish prince feigns madness to avenge his father, and nearly everyone dies.';

function recordOf(r: Awaited<ReturnType<typeof runPlugin>>, over: Partial<RequestRecord> = {}): RequestRecord {
  const ex = r.exchange;
  return {
    id: `req_${Math.random().toString(36).slice(2)}`, arrivalKey: Math.random().toString(36).slice(2), time: Date.now(), method: 'POST', path: '/v1/chat/completions', endpoint: ex.endpoint.id,
    family: ex.clientFamily, peerAddress: '127.0.0.1', clientAddress: '10.1.2.3', principal: { user: 'ada', team: 'core', keyId: 'k_1' },
    sessionId: 'sess-1', model: ex.model, provider: 'openai', servedModel: ex.target?.model, attempts: [], stream: ex.stream,
    status: r.status, outcome: r.completion.outcome, errorCode: undefined, usage: ex.usage, findings: [
      { source: 'firewall', type: 'EMAIL_ADDRESS', count: 2, action: 'redacted', locations: ['messages[0].content'], direction: 'request' },
      { source: 'firewall', type: 'EMAIL_ADDRESS', count: 1, action: 'redacted', locations: ['choices[0].message.content'], direction: 'response' },
      { source: 'dedupe', type: 'REPEATED_TOOL_CALL', count: 3, action: 'noted' },
    ],
    firstByteMs: 100, totalMs: 1100, exchange: ex, ...over,
  };
}

const chatJson = (usage: JsonObject) => ({
  id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }], usage,
});
const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({ data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] } });

describe('ledger: preparing a row', function () {
  this.timeout(30_000);
  let counter: TokenCounter;
  const ctx = (over: Partial<ReturnType<typeof ledgerOptions.parse>> = {}) => ({
    options: { ...ledgerOptions.parse({}), ...over }, pricing: createPriceTable(DEFAULT_PRICES), counter, isLoopback: () => false,
  });
  before(() => { counter = createTokenCounter({ timeoutMs: 20_000, onError: (e) => { throw e; } }); });
  after(() => counter.close());

  it('lists failed attempts in fallback_detail, a same-provider retry marked retried', async () => {
    const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 17 }) } });
    const attempts = [
      { provider: 'openai', model: 'gpt-4o-mini', code: 'SLUICE_E_UPSTREAM_ERROR', status: 503, retried: true as const },
      { provider: 'openai', model: 'gpt-4o-mini', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 502 },
    ];
    const row = await prepareRow(recordOf(r, { attempts }), ctx());
    expect(row.fallbacks).to.equal(2);
    expect(JSON.parse(row.fallback_detail!)).to.deep.equal(attempts);
  });

  it('counts an OpenAI exchange with the tokenizer; a bill that matches is not flagged, an inflated one is', async () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] };
    // o200k_base: the prompt's 13 tokens + 4 framing for its message + 3 priming = 20 (what OpenAI bills, and
    // gpt-tokenizer's own encodeChat agrees); the answer's 17.
    const honest = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 17 }) } });
    const row = await prepareRow(recordOf(honest), ctx());
    expect(row).to.include({ local_method: 'o200k_base', local_input_tokens: 20, local_output_tokens: 17, count_mismatch: 0, usage_source: 'reported', input_tokens: 20, output_tokens: 17 });
    expect(row).to.include({ user_id: 'ada', team_id: 'core', key_id: 'k_1', session_id: 'sess-1', client_address: '10.1.2.3', client_protocol: 'openai.chat' });
    // Types, counts and direction; never where (locations) — and the answer's finding apart from the request's.
    expect(JSON.parse(row.findings!)).to.deep.equal([
      { source: 'firewall', type: 'EMAIL_ADDRESS', count: 2, action: 'redacted', direction: 'request' },
      { source: 'firewall', type: 'EMAIL_ADDRESS', count: 1, action: 'redacted', direction: 'response' },
      { source: 'dedupe', type: 'REPEATED_TOOL_CALL', count: 3, action: 'noted' },
    ]);
    expect(row.cost_total).to.equal(createPriceTable(DEFAULT_PRICES).cost({ inputTokens: 20, outputTokens: 17, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false }, 'gpt-4o-mini')!.total);
    // A JSON answer's tokens/s spans the whole latency (prefill included): 17 tokens in 1.1 s.
    expect(row.output_tps).to.equal(15.455);
    const inflated = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: chatJson({ prompt_tokens: 60, completion_tokens: 17 }) } });
    expect(await prepareRow(recordOf(inflated), ctx())).to.include({ count_mismatch: 1, local_input_tokens: 20 });
    // Hidden reasoning is billed as output but never seen: not a mismatch.
    const reasoning = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 417, completion_tokens_details: { reasoning_tokens: 400 } }) } });
    expect(await prepareRow(recordOf(reasoning), ctx())).to.include({ count_mismatch: 0, reasoning_tokens: 400, output_tokens: 417, local_output_tokens: 17 });
    // Reasoning billed whole but shown as a short summary (Gemini CLI's includeThoughts, OpenAI's
    // reasoning summaries): the visible answer is set against output − reasoning, not the summary
    // against the whole reasoning (which flagged every such turn).
    const summary = { role: 'assistant', content: ANSWER, reasoning_content: 'Recalling the plot of Hamlet.' };
    const summarised = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: { ...chatJson({ prompt_tokens: 20, completion_tokens: 417, completion_tokens_details: { reasoning_tokens: 400 } }), choices: [{ index: 0, message: summary, finish_reason: 'stop' }] } } });
    expect(await prepareRow(recordOf(summarised), ctx())).to.include({ count_mismatch: 0, output_tokens: 417, local_output_tokens: 17 });
    // …and a bill inflated past the visible answer still is flagged.
    const padded = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: { ...chatJson({ prompt_tokens: 20, completion_tokens: 517, completion_tokens_details: { reasoning_tokens: 400 } }), choices: [{ index: 0, message: summary, finish_reason: 'stop' }] } } });
    expect(await prepareRow(recordOf(padded), ctx())).to.include({ count_mismatch: 1, local_output_tokens: 17 });
  });

  it('the tokenizer thread answers every row of a batch, texts shared between rows counted once and alike', async () => {
    const long = 'The load balancer spreads requests across the servers of the pool. '.repeat(20);
    const [a, b, c] = await Promise.all([
      counter.count('o200k_base', ['hello world', long]),
      counter.count('o200k_base', [long, 'hello world', '']),
      counter.count('cl100k_base', ['hello world']),
    ]);
    expect(a![0]).to.equal(2);
    expect(a![1]).to.be.greaterThan(200);
    expect(b).to.deep.equal([a![1], a![0], 0]);
    expect(c).to.deep.equal([2]);
    // Counted again in a later batch (the thread's cache by hash): the same figure.
    expect(await counter.count('o200k_base', [long])).to.deep.equal([a![1]]);
  });

  it('the thread\'s counts are gpt-tokenizer\'s own, text after text (its matcher is reused: count-worker.ts)', async () => {
    // Texts that stop mid-word, mix scripts, digits, spaces and newlines, spell special tokens, or are
    // empty: a matcher carried from one count to the next must start each text afresh.
    const texts = [
      'hello world', 'Hello, World!  It\'s 2026-12-06 — 12,345.67 tokens?', 'Ünïcödé façade naïve 日本語のテキスト 한국어 текст',
      '  leading and trailing  \n\n\t', 'code: `const x = a?.b ?? 42;` // done', '<|endoftext|> and <|im_start|> as plain text', '',
      '🙂🙂 emoji👩‍💻 mixed', 'x'.repeat(300), 'The load balancer spreads requests. '.repeat(12), 'abc', "don't won't I'll we've",
    ];
    const [o200k, cl100k] = await Promise.all([import('gpt-tokenizer/encoding/o200k_base'), import('gpt-tokenizer/encoding/cl100k_base')]);
    const plain = { disallowedSpecial: new Set<string>() };
    for (let round = 0; round < 3; round++) {
      const order = round === 1 ? [...texts].reverse() : texts;
      const [a, b] = await counter.countLists([{ encoding: 'o200k_base', texts: order }, { encoding: 'cl100k_base', texts: order }]);
      expect(a).to.deep.equal(order.map((t) => o200k.countTokens(t, plain)));
      expect(b).to.deep.equal(order.map((t) => cl100k.countTokens(t, plain)));
    }
  });

  it('a cycle\'s entries prepared together give each the row it gets alone; one that fails gets the fallback, the others are unaffected', async () => {
    const shared = 'You are a careful assistant. '.repeat(20); // long, and in every request: sent to the thread once
    const runs = await Promise.all([
      runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: shared }, { role: 'user', content: PROMPT }] }, upstream: { json: chatJson({ prompt_tokens: 999, completion_tokens: 17 }) } }),
      runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4', messages: [{ role: 'system', content: shared }, { role: 'user', content: 'And Macbeth?' }] }, upstream: { json: chatJson({ prompt_tokens: 140, completion_tokens: 17 }) } }),
      runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'claude-sonnet-4', messages: [{ role: 'user', content: PROMPT }] }, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 17 }) } }),
      runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: shared }, { role: 'user', content: PROMPT }] }, upstream: { json: chatJson({ prompt_tokens: 140, completion_tokens: 17 }) } }),
    ]);
    const c = ctx();
    const records = runs.map((r, i) => recordOf(r, { id: `req_batch_${i}`, provider: i === 2 ? 'anthropic' : 'openai' }));
    const entries = records.map((r) => entryOf(r, c.options));
    const broken = { ...entries[1]!, textError: new Error('unreadable') };
    const failures: string[] = [];
    const rows = await prepareEntries([entries[0]!, broken, entries[2]!, entries[3]!], c, (e, err) => {
      failures.push(`${e.id}: ${(err as Error).message}`);
      return { request_id: e.id, outcome: 'fallback' } as never;
    });
    expect(failures).to.deep.equal(['req_batch_1: unreadable']);
    expect(rows[1]).to.deep.equal({ request_id: 'req_batch_1', outcome: 'fallback' });
    // Alone, each is a new entry of its record, with an arrival key of its own: the rest is the same.
    for (const i of [0, 2, 3]) expect(rows[i]).to.deep.equal({ ...await prepareRow(records[i]!, c), arrival_key: rows[i]!.arrival_key });
    expect(rows.map((r) => r.local_method)).to.deep.equal(['o200k_base', undefined, 'estimate', 'o200k_base']);
    // The same texts, counted once for the cycle: the same figures; the inflated bill is flagged, the honest one not.
    expect(rows[0]!.local_input_tokens).to.equal(rows[3]!.local_input_tokens).and.be.greaterThan(100);
    expect([rows[0]!.count_mismatch, rows[3]!.count_mismatch]).to.deep.equal([1, 0]);
    // gpt-4 is counted with cl100k_base, in the same message to the thread.
    expect((await prepareEntries([entries[1]!], c, () => { throw new Error('no'); }))[0]).to.include({ local_method: 'cl100k_base' });
  });

  it('an answer\'s tool calls are counted whole (name and arguments), the same as JSON and streamed; reasoning carried twice is counted once', async () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] };
    // Keys sorted and no spaces: the JSON path reads canonical arguments, a stream the raw text.
    const calls = [{ name: 'read_file', args: '{"end":40,"path":"src/index.ts","start":1}' }, { name: 'grep', args: '{"path":"src","pattern":"TODO"}' }];
    const [[whole, strings, answer, thought]] = (await counter.countLists([{ encoding: 'o200k_base', texts: [calls.map((c) => c.name + c.args).join(''), 'src/index.tssrcTODO', ANSWER, 'Weighing the plot first.'] }])) as number[][];
    const usage = { prompt_tokens: 20, completion_tokens: whole!, total_tokens: 20 + whole! };
    const message = { role: 'assistant', content: null, tool_calls: calls.map((c, i) => ({ id: `c${i}`, type: 'function', function: { name: c.name, arguments: c.args } })) };
    const json = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: { ...chatJson(usage), choices: [{ index: 0, message, finish_reason: 'tool_calls' }] } } });
    const events: StreamEvent[] = [
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'c0', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: calls[0]!.args.slice(0, 10) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: calls[0]!.args.slice(10) } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c1', type: 'function', function: { name: 'grep', arguments: calls[1]!.args } }] }),
      chunk({}, 'tool_calls'),
      { data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage } },
    ];
    const streamed = await runPlugin(ledger, { path: '/v1/chat/completions', body: { ...request, stream: true, stream_options: { include_usage: true } }, upstream: { events } });
    const [a, b] = [await prepareRow(recordOf(json), ctx()), await prepareRow(recordOf(streamed), ctx())];
    expect(whole, 'the arguments\' strings alone are fewer tokens').to.be.greaterThan(strings! + 10);
    expect(a).to.include({ usage_source: 'reported', output_tokens: whole, local_output_tokens: whole, count_mismatch: 0 });
    expect(b).to.include({ usage_source: 'reported', output_tokens: whole, local_output_tokens: whole, count_mismatch: 0, stream: 1 });
    // Anthropic's tool_use: its input an object in JSON, partial JSON in a stream, the name with the block.
    const anthropicBody = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: PROMPT }] };
    const content: JsonObject[] = [{ type: 'text', text: ANSWER }, { type: 'tool_use', id: 't1', name: 'read_file', input: { end: 40, path: 'src/index.ts', start: 1 } }];
    const aJson = await runPlugin(ledger, { path: '/v1/messages', body: anthropicBody, upstream: { json: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content, stop_reason: 'tool_use', usage: { input_tokens: 16, output_tokens: 40 } } } });
    const ev = (type: string, data: JsonObject): StreamEvent => ({ event: type, data: { type, ...data } });
    const aEvents = [
      ev('message_start', { message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 16, output_tokens: 1 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ANSWER } }), ev('content_block_stop', { index: 0 }),
      ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 't1', name: 'read_file', input: {} } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: calls[0]!.args.slice(0, 7) } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: calls[0]!.args.slice(7) } }), ev('content_block_stop', { index: 1 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } }), ev('message_stop', {}),
    ];
    const aStream = await runPlugin(ledger, { path: '/v1/messages', body: { ...anthropicBody, stream: true }, upstream: { events: aEvents } });
    const [c, d] = [await prepareRow(recordOf(aJson, { provider: 'anthropic' }), ctx()), await prepareRow(recordOf(aStream, { provider: 'anthropic' }), ctx())];
    expect(c.local_output_tokens).to.equal(Math.ceil((ANSWER + 'read_file' + calls[0]!.args).length / 4));
    expect(d.local_output_tokens).to.equal(c.local_output_tokens);
    // A Chat answer carrying its reasoning as reasoning_content and again in reasoning_details (the
    // translator writes both): counted once, with the text (no reasoning tokens reported apart).
    const both = { role: 'assistant', content: ANSWER, reasoning_content: 'Weighing the plot first.', reasoning_details: [{ type: 'reasoning.text', text: 'Weighing the plot first.', signature: 'sig' }] };
    const twice = await runPlugin(ledger, { path: '/v1/chat/completions', body: request, upstream: { json: { ...chatJson({ prompt_tokens: 20, completion_tokens: answer! + thought! }), choices: [{ index: 0, message: both, finish_reason: 'stop' }] } } });
    expect(await prepareRow(recordOf(twice), ctx())).to.include({ local_output_tokens: answer! + thought!, count_mismatch: 0 });
  });

  it('a stream with no usage report is estimated from what passed, and says so', async () => {
    const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: ANSWER.slice(0, 30) }), chunk({ content: ANSWER.slice(30) }), chunk({}, 'stop')];
    // The scripted upstream's stream carries no usage at all (a provider that ignores include_usage).
    const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: PROMPT }] }, upstream: { events } });
    expect(r.events!.length).to.equal(4);
    const row = await prepareRow(recordOf(r), ctx());
    expect(row).to.include({ usage_source: 'estimated', input_tokens: 20, output_tokens: 17, count_mismatch: 0, stream: 1 });
  });

  it('text over count.max_chars is not counted, but a missing figure is still estimated from its length (JSON and stream)', async () => {
    const long = 'word '.repeat(200); // 1,000 characters
    const small = { ...ledgerOptions.parse({}).count, max_chars: 400 };
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] };
    const noUsage = { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: long }, finish_reason: 'stop' }] };
    const json = await runPlugin(ledger, { path: '/v1/chat/completions', body, upstream: { json: noUsage } });
    const row = await prepareRow(recordOf(json), ctx({ count: small }));
    expect(row).to.include({ usage_source: 'estimated', input_tokens: 250, output_tokens: 250, local_input_tokens: null, local_output_tokens: null });
    expect(row.cost_total).to.be.greaterThan(0);
    const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: long.slice(0, 300) }), chunk({ content: long.slice(300) }), chunk({}, 'stop')];
    const stream = await runPlugin(ledger, { path: '/v1/chat/completions', body: { ...body, stream: true }, upstream: { events }, options: { count: { max_chars: 400 } } });
    expect(await prepareRow(recordOf(stream), ctx({ count: small }))).to.include({ usage_source: 'estimated', input_tokens: 250, output_tokens: 250, local_output_tokens: null });
    // A long stream that ran to its end with a usage report is reported, not partial: only a cut stream is.
    const reported = [...events.slice(0, 3), { data: { ...chunk({}, 'stop').data as JsonObject, usage: { prompt_tokens: 205, completion_tokens: 201 } } }];
    const whole = await runPlugin(ledger, { path: '/v1/chat/completions', body: { ...body, stream: true, stream_options: { include_usage: true } }, upstream: { events: reported }, options: { count: { max_chars: 400 } } });
    expect(await prepareRow(recordOf(whole), ctx({ count: small }))).to.include({ usage_source: 'reported', input_tokens: 205, output_tokens: 201 });
  });

  it('a stream cut short keeps what the provider reported and adds what was seen: partial', async () => {
    const start: StreamEvent = { event: 'message_start', data: { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 25, cache_read_input_tokens: 1000, output_tokens: 1 } } } };
    const block: StreamEvent = { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } };
    const delta: StreamEvent = { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ANSWER } } };
    const r = await runPlugin(ledger, {
      path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: PROMPT }] },
      // The upstream dies after the first delta: no message_delta, no final output count.
      upstream: () => ({ kind: 'stream', status: 200, headers: {}, protocol: { family: 'anthropic', operation: 'messages' }, events: (async function* () { yield start; yield block; yield delta; throw new Error('connection reset'); })() }),
    }).catch((e: Error) => e);
    expect(r).to.not.be.instanceOf(Error);
    const res = r as Awaited<ReturnType<typeof runPlugin>>;
    const row = await prepareRow(recordOf(res, { provider: 'anthropic', outcome: 'error', status: 200 }), ctx());
    expect(row).to.include({ usage_source: 'partial', input_tokens: 25, cache_read_tokens: 1000, local_method: 'estimate' });
    expect(row.output_tokens).to.equal(Math.ceil(ANSWER.length / 4));
    const off = await prepareRow(recordOf(res, { provider: 'anthropic', outcome: 'error', status: 200 }), ctx({ count: { ...ledgerOptions.parse({}).count, enabled: false } }));
    expect(off, 'count off: the same').to.include({ usage_source: 'partial', input_tokens: 25, cache_read_tokens: 1000, output_tokens: Math.ceil(ANSWER.length / 4) });
  });

  it('Anthropic and Gemini models get an estimate, not a tokenizer; tool definitions make the prompt uncountable', async () => {
    const body = { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] };
    const json = { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: ANSWER }], stop_reason: 'end_turn', usage: { input_tokens: 16, output_tokens: 18 } };
    const r = await runPlugin(ledger, { path: '/v1/messages', body, upstream: { json } });
    const row = await prepareRow(recordOf(r, { provider: 'anthropic' }), ctx());
    expect(row).to.include({ local_method: 'estimate', count_mismatch: 0, usage_source: 'reported' });
    expect(row.local_input_tokens).to.equal(Math.ceil(PROMPT.length / 4) + 4 + 3);
    const withTools = await runPlugin(ledger, { path: '/v1/messages', body: { ...body, tools: [{ name: 'f', input_schema: { type: 'object' } }] }, upstream: { json } });
    expect(await prepareRow(recordOf(withTools, { provider: 'anthropic' }), ctx())).to.include({ local_input_tokens: null });
  });

  it('a prompt with an image, audio or a file is not counted locally (its billed tokens include what a text count cannot see)', async () => {
    const parts: JsonObject[] = [
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      { type: 'file', file: { file_id: 'file-1' } },
    ];
    for (const part of parts) {
      const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }, part] }] }, upstream: { json: chatJson({ prompt_tokens: 900, completion_tokens: 17 }) } });
      expect(await prepareRow(recordOf(r), ctx()), String(part['type'])).to.include({ local_input_tokens: null, local_output_tokens: 17, count_mismatch: 0 });
    }
    const textOnly = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }] }, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 17 }) } });
    expect((await prepareRow(recordOf(textOnly), ctx())).local_input_tokens).to.be.a('number');
  });

  it('a prompt whose count could be compared with nothing is not sent to the tokenizer; one whose input must be estimated is', async () => {
    const asked: string[] = [];
    const spy: TokenCounter = { ...counter, countLists: (lists) => { for (const l of lists) asked.push(...l.texts); return counter.countLists(lists); } };
    const c = { ...ctx(), counter: spy };
    const history = 'An earlier turn of the agent, resent with every request. '.repeat(10);
    const tools = [{ type: 'function', function: { name: 'shell', parameters: { type: 'object' } } }];
    const plainBody = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: history }, { role: 'user', content: PROMPT }] };
    const body = { ...plainBody, tools };
    // Tools declared and the usage reported: the prompt's count is never stored nor compared, so it is not made.
    const agent = await runPlugin(ledger, { path: '/v1/chat/completions', body, upstream: { json: chatJson({ prompt_tokens: 300, completion_tokens: 17 }) } });
    const row = await prepareRow(recordOf(agent), c);
    expect(row).to.include({ local_method: 'o200k_base', local_input_tokens: null, local_output_tokens: 17, count_mismatch: 0, usage_source: 'reported', input_tokens: 300 });
    expect(asked).to.include(ANSWER).and.not.include(history).and.not.include(PROMPT);
    // Nor read on the request path: the entry keeps the answer only.
    const entry = entryOf(recordOf(agent), c.options);
    expect(entry.request).to.equal(undefined);
    expect(entry.answer?.text).to.equal(ANSWER);
    // The same prompt with no usage report: its input is estimated, from the tokenizer's count of
    // the messages and of the tool definitions (billed as input too).
    asked.length = 0;
    const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: ANSWER }), chunk({}, 'stop')];
    const unreported = await runPlugin(ledger, { path: '/v1/chat/completions', body: { ...body, stream: true }, upstream: { events } });
    const estimated = await prepareRow(recordOf(unreported), c);
    const toolsJson = JSON.stringify(tools);
    expect(asked).to.include(history).and.include(PROMPT).and.include(toolsJson);
    expect(entryOf(recordOf(unreported), c.options).request?.countable).to.equal(false);
    const [counts] = await counter.countLists([{ encoding: 'o200k_base', texts: [history, PROMPT, toolsJson] }]);
    expect(counts![2]).to.be.greaterThan(5);
    expect(estimated).to.include({ usage_source: 'estimated', input_tokens: counts![0]! + counts![1]! + counts![2]! + 2 * 4 + 3, output_tokens: 17, local_input_tokens: null });
    // Without tools the prompt is countable: counted, stored and compared.
    asked.length = 0;
    const plain = await runPlugin(ledger, { path: '/v1/chat/completions', body: plainBody, upstream: { json: chatJson({ prompt_tokens: 300, completion_tokens: 17 }) } });
    expect((await prepareRow(recordOf(plain), c)).local_input_tokens).to.equal(counts![0]! + counts![1]! + 2 * 4 + 3);
    expect(asked).to.include(history);
  });

  it('a cycle whose short texts recurred in an earlier cycle does not ask the tokenizer, and its rows are the rows a count gives', async () => {
    const asked: string[][] = [];
    const spy: TokenCounter = { ...counter, countLists: (lists) => { asked.push(lists.flatMap((l) => l.texts)); return counter.countLists(lists); } };
    const knowing = { ...ctx(), counter: spy, known: new KnownCounts() };
    const plain = ctx(); // every cycle asks the tokenizer
    const entries = async (prompt: string, n: number) => {
      const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: prompt }] }, upstream: { json: chatJson({ prompt_tokens: 25, completion_tokens: 17 }) } });
      return Array.from({ length: n }, () => entryOf(recordOf(r), knowing.options));
    };
    const cycle = (c: typeof knowing | typeof plain, es: Awaited<ReturnType<typeof entries>>) => prepareEntries(es, c, (_e, err) => { throw err; });
    // The first cycle: every text asked once; the system prompt, the question and the answer recur in it.
    const first = await entries(PROMPT, 3);
    expect(await cycle(knowing, first)).to.deep.equal(await cycle(plain, first));
    expect(asked).to.deep.equal([['Answer briefly.', PROMPT, ANSWER, '']]);
    // The next: nothing to ask; every column and type the same as a counted row's.
    const next = await entries(PROMPT, 2);
    const rows = await cycle(knowing, next);
    expect(asked).to.have.length(1);
    expect(rows).to.deep.equal(await cycle(plain, next));
    expect(rows[0]).to.include({ local_method: 'o200k_base', local_output_tokens: 17 }).and.to.have.property('local_input_tokens').that.is.a('number');
    // A new question is asked (alone); one asked by a single entry is not kept, so it is asked again.
    const once = await entries('And Macbeth?', 1);
    expect(await cycle(knowing, once)).to.deep.equal(await cycle(plain, once));
    expect(await cycle(knowing, once)).to.deep.equal(await cycle(plain, once));
    expect(asked.slice(1)).to.deep.equal([['And Macbeth?'], ['And Macbeth?']]);
  });

  it('a conversation\'s next turn sends only what is new to the tokenizer, and counts what a whole count does', async () => {
    const asked: string[] = [];
    const spy: TokenCounter = { ...counter, countLists: (lists) => { for (const l of lists) asked.push(...l.texts); return counter.countLists(lists); } };
    const remembering = { ...ctx(), counter: spy, memo: new PromptMemo(1_000_000, 100) };
    const whole = ctx(); // no memo: every prompt counted whole
    const rowOf = async (messages: JsonObject[], c: typeof whole) => {
      const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages }, upstream: { json: chatJson({ prompt_tokens: 2000, completion_tokens: 17 }) } });
      const [row] = await prepareEntries([entryOf(recordOf(r), c.options)], c, (_e, err) => { throw err; });
      return row!;
    };
    const history: JsonObject[] = [{ role: 'system', content: 'You answer questions about Shakespeare. '.repeat(60) }];
    for (let t = 0; t < 6; t++) history.push({ role: 'user', content: `Question ${t}: ${PROMPT} `.repeat(8) }, { role: 'assistant', content: `Answer ${t}: ${ANSWER} `.repeat(8) });
    const resent = (messages: JsonObject[]) => asked.filter((t) => messages.some((m) => m['content'] === t));

    const first = await rowOf(history, remembering);
    expect(resent(history)).to.have.length(history.length);
    expect(first.local_input_tokens).to.be.a('number').and.equal((await rowOf(history, whole)).local_input_tokens);
    // The next turn: the history is compared with the last turn's, only the new question is counted.
    asked.length = 0;
    const next = [...history, { role: 'user', content: 'And in Macbeth?' }];
    const second = await rowOf(next, remembering);
    expect(asked).to.include('And in Macbeth?');
    expect(resent(history)).to.deep.equal([]);
    expect(second.local_input_tokens).to.equal((await rowOf(next, whole)).local_input_tokens);
    // A message edited mid-history: what precedes it is reused, it and all after it are counted.
    asked.length = 0;
    const edited = next.map((m, i) => (i === 5 ? { ...m, content: 'An edited question.' } : m));
    const third = await rowOf(edited, remembering);
    expect(resent(edited)).to.deep.equal(edited.slice(5).map((m) => m['content']));
    expect(third.local_input_tokens).to.equal((await rowOf(edited, whole)).local_input_tokens);
    expect(third.local_input_tokens).to.not.equal(second.local_input_tokens);
  });

  it('the tools and non-text check answers as reading the tool keys by name did', () => {
    // The earlier form: tools (or functions) read by name, Gemini's toolConfig, then the non-text walk.
    const NON_TEXT_TYPES = new Set(['image_url', 'input_image', 'image', 'input_audio', 'audio', 'file', 'input_file', 'document', 'video_url']);
    const NON_TEXT_KEYS = new Set(['inlineData', 'fileData', 'image_url', 'input_audio']);
    const hasNonText = (value: JsonValue, budget: { nodes: number }): boolean => {
      if (--budget.nodes < 0) return true;
      if (value === null || typeof value !== 'object') return false;
      if (Array.isArray(value)) return value.some((v) => hasNonText(v, budget));
      for (const key in value) {
        const v = value[key]!;
        if (key === 'type' && typeof v === 'string' && NON_TEXT_TYPES.has(v)) return true;
        if (NON_TEXT_KEYS.has(key)) return true;
        if (v !== null && typeof v === 'object') { if (hasNonText(v, budget)) return true; } else if (--budget.nodes < 0) return true;
      }
      return false;
    };
    const hasTools = (body: JsonObject) => {
      const tools = body['tools'] ?? body['functions'];
      return (Array.isArray(tools) && tools.length > 0) || (typeof body['toolConfig'] === 'object' && body['toolConfig'] !== null && !Array.isArray(body['toolConfig']));
    };
    const before = (body: JsonObject) => !hasTools(body) && !hasNonText(body, { nodes: 20_000 });
    const msgs = [{ role: 'user', content: PROMPT }];
    const bodies: JsonObject[] = [
      { model: 'm', messages: msgs },
      { model: 'm', messages: msgs, tools: [] },
      { model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f' } }] },
      { model: 'm', messages: msgs, tools: null, functions: [{ name: 'f' }] },
      { model: 'm', messages: msgs, tools: [], functions: [{ name: 'f' }] },
      { model: 'm', messages: msgs, functions: [] },
      { model: 'm', messages: msgs, tools: 'x' },
      { contents: [{ parts: [{ text: PROMPT }] }], toolConfig: { functionCallingConfig: { mode: 'AUTO' } } },
      { contents: [{ parts: [{ text: PROMPT }] }], toolConfig: null },
      { contents: [{ parts: [{ text: PROMPT }] }], toolConfig: [] },
      { contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] },
      { model: 'm', input_audio: 'x', messages: msgs },
      { type: 'image', messages: msgs },
      { type: 'text', messages: msgs },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
      { model: 'm', many: Array.from({ length: 19_998 }, (_, i) => i) },
      { model: 'm', many: Array.from({ length: 19_997 }, (_, i) => i) },
      { model: 'm', deep: Array.from({ length: 19_998 }, () => ({})) },
      { model: 'm', deep: Array.from({ length: 19_997 }, () => ({})) },
      {},
    ];
    for (const body of bodies) expect(textOnlyBody(body), JSON.stringify(body).slice(0, 120)).to.equal(before(body));
    expect(bodies.map((b) => textOnlyBody(b))).to.include(true).and.to.include(false);
    // declaresTools is the tool half alone (it decides whether an entry reads the request's texts).
    for (const body of bodies) expect(declaresTools(body), JSON.stringify(body).slice(0, 120)).to.equal(hasTools(body));
    expect(bodies.map(declaresTools)).to.include(true).and.to.include(false);
  });

  it('a plain Chat body\'s texts are the view\'s segments; any other body is left to the view', () => {
    const chat = { family: 'openai', operation: 'chat' } as const;
    const plain: JsonObject[] = [
      { model: 'm', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: PROMPT }] },
      { model: 'm', messages: [{ role: 'user', content: '', name: 'ann' }, { content: 'no role' }, { role: 'assistant', content: ANSWER }] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }], tools: [{ type: 'function', function: { name: 'f' } }] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }], metadata: { attachment: { type: 'image' } } },
    ];
    const other: JsonObject[] = [
      { model: 'm', messages: [] },
      { model: 'm' },
      { model: 'm', messages: 'x' },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }, { role: 'tool', tool_call_id: 'c', content: 'result' }] },
      { model: 'm', messages: [{ role: 'function', name: 'f', content: 'result' }] },
      { model: 'm', messages: [{ role: 'assistant', content: 'a', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"x":"y"}' } }] }] },
      { model: 'm', messages: [{ role: 'assistant', content: 'a', refusal: 'no' }] },
      { model: 'm', messages: [{ role: 'assistant', content: 'a', reasoning_content: 'think' }] },
      { model: 'm', messages: [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }, null] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }, ['x']] },
      // Only strings beside the content: anything else could hold a non-text part the count cannot see.
      { model: 'm', messages: [{ role: 5, content: 'odd role' }] },
      { model: 'm', messages: [{ role: 'user', content: PROMPT, name: { type: 'image' } }] },
    ];
    for (const body of plain) {
      const view = createRequestView(chat, body);
      expect(plainChatTexts(body)).to.deep.equal(view.segments().map((s) => s.text));
      expect(view.toolCalls().length + view.toolResults().length).to.equal(0);
      expect(view.turns()).to.equal((body['messages'] as JsonValue[]).length);
      // Its messages hold only text, so the non-text and tools check may pass them by (requestText does).
      expect(textOnlyBody(body, 'messages'), JSON.stringify(body)).to.equal(textOnlyBody(body));
    }
    expect(plain.map((b) => textOnlyBody(b, 'messages'))).to.include(true).and.to.include(false);
    for (const body of other) expect(plainChatTexts(body), JSON.stringify(body)).to.equal(undefined);
  });

  it('a plain Chat answer\'s text is the response view\'s; any other answer is left to the view', () => {
    const chat = { family: 'openai', operation: 'chat' } as const;
    const viewText = (body: JsonObject) => {
      let text = '';
      for (const s of createResponseView(chat, body).segments()) { expect(s.kind).to.not.equal('reasoning'); text += s.text; }
      return text;
    };
    const msg = (m: JsonObject, index = 0): JsonObject => ({ index, message: m, logprobs: null, finish_reason: 'stop' });
    const plain: JsonObject[] = [
      { id: 'c', choices: [msg({ role: 'assistant', content: ANSWER, refusal: null, annotations: [] })], usage: {} },
      { id: 'c', choices: [msg({ role: 'assistant', content: null, refusal: 'I cannot help with that.' })] },
      { id: 'c', choices: [msg({ role: 'assistant', content: 'a', refusal: 'b' }), msg({ role: 'assistant', content: '' }, 1), msg({ content: 'c' }, 2)] },
      { id: 'c', choices: [msg({ role: 'tool', content: 'from a tool' })] },
      { id: 'c', choices: [] },
    ];
    const other: JsonObject[] = [
      { id: 'c' },
      { id: 'c', choices: 'x' },
      { id: 'c', choices: [null] },
      { id: 'c', choices: [{ index: 0, delta: { content: 'a' } }] },
      { id: 'c', choices: [msg({ role: 'assistant', content: [{ type: 'text', text: 'a' }] })] },
      { id: 'c', choices: [msg({ role: 'assistant', content: 'a', reasoning_content: 'think' })] },
      { id: 'c', choices: [msg({ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }] })] },
      { id: 'c', choices: [msg({ role: 'assistant', content: 'a', refusal: 5 })] },
      { id: 'c', choices: [msg({ role: 'assistant', content: 'a', audio: { id: 'x' } })] },
    ];
    for (const body of plain) expect(plainChatAnswer(body), JSON.stringify(body)).to.equal(viewText(body));
    for (const body of other) expect(plainChatAnswer(body), JSON.stringify(body)).to.equal(undefined);
  });

  it('a streamed answer counts as its JSON form: parallel calls with interleaved arguments, two choices, a refusal', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], tools, n: 2 };
    const calls = [
      { id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris","units":"metric"}' } },
      { id: 'call_b', type: 'function', function: { name: 'lookup', arguments: '{"city":"Oslo","units":"imperial"}' } },
    ];
    const json: JsonObject = {
      id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', usage: { prompt_tokens: 40, completion_tokens: 60 },
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Checking both.', tool_calls: calls }, finish_reason: 'tool_calls' },
        { index: 1, message: { role: 'assistant', content: null, refusal: 'I cannot help with that request.' }, finish_reason: 'stop' },
      ],
    };
    const ev = (choice: number, delta: JsonObject, finish: string | null = null): StreamEvent => ({ data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: choice, delta, finish_reason: finish }] } });
    const call = (index: number, fn: JsonObject, id?: string) => ({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });
    // Both calls' arguments in pieces, interleaved, and the two choices' deltas interleaved too.
    const events = [
      ev(0, { role: 'assistant', content: 'Checking ' }), ev(1, { role: 'assistant', refusal: 'I cannot help ' }), ev(0, { content: 'both.' }),
      ev(0, call(0, { name: 'lookup', arguments: '' }, 'call_a')), ev(0, call(1, { name: 'lookup', arguments: '' }, 'call_b')),
      ev(0, call(0, { arguments: '{"city":"Paris",' })), ev(0, call(1, { arguments: '{"city":"Oslo",' })), ev(1, { refusal: 'with that request.' }),
      ev(0, call(1, { arguments: '"units":"imperial"}' })), ev(0, call(0, { arguments: '"units":"metric"}' })),
      ev(0, {}, 'tool_calls'), ev(1, {}, 'stop'),
      { data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 40, completion_tokens: 60 } } },
    ];
    const sent = await runPlugin(ledger, { path: '/v1/chat/completions', body, upstream: { json } });
    const streamed = await runPlugin(ledger, { path: '/v1/chat/completions', body: { ...body, stream: true }, upstream: { events } });
    const text = entryOf(recordOf(sent), ctx().options).answer?.text;
    expect(text).to.contain('I cannot help with that request.');
    expect(entryOf(recordOf(streamed), ctx().options).answer?.text).to.equal(text);
    const whole = await prepareRow(recordOf(sent), ctx());
    const row = await prepareRow(recordOf(streamed), ctx());
    expect(whole['local_output_tokens']).to.be.greaterThan(20);
    expect(row).to.include({ local_output_tokens: whole['local_output_tokens'], count_mismatch: whole['count_mismatch'] });
  });

  it('no local count for loopback, nor when counting is off; refusals before a provider carry no tokens', async () => {
    const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }, upstream: { json: chatJson({ prompt_tokens: 20, completion_tokens: 17 }) } });
    expect(await prepareRow(recordOf(r), { ...ctx(), isLoopback: () => true })).to.include({ local_method: null, usage_source: 'reported' });
    expect(await prepareRow(recordOf(r), ctx({ count: { ...ledgerOptions.parse({}).count, enabled: false } }))).to.include({ local_method: null });
    const refused = await prepareRow({ ...recordOf(r), exchange: undefined, usage: undefined, status: 404, outcome: 'error', endpoint: undefined, model: undefined, servedModel: undefined, provider: undefined }, ctx());
    expect(refused).to.include({ usage_source: 'none', input_tokens: 0, cost_total: null, client_protocol: null });
  });

  it('observing a stream keeps it untouched (its bytes still go out as received)', async () => {
    const events = markUntouchedStream((async function* () { yield { data: { a: 1 } } as StreamEvent; })());
    const seen: StreamEvent[] = [];
    let ended: boolean | undefined;
    const observed = observeStream(events, { event: (e) => { seen.push(e); throw new Error('ignored'); }, end: (c) => { ended = c; } });
    expect(isUntouchedStream(observed)).to.equal(true);
    for await (const e of observed) expect(e).to.deep.equal({ data: { a: 1 } });
    expect(seen.length).to.equal(1);
    expect(ended).to.equal(true);
    createLogger({ level: 'silent' });
  });
});
