// commitStream in isolation: what commits a stream, what is an upstream failure before it, and what
// makes a committed stream truncated — per protocol, on the edge cases servers really send.
import { expect } from 'chai';
import { GatewayError } from '../../core/errors.js';
import type { StreamResponse } from '../../core/exchange.js';
import { commitStream } from '../../core/http/stream-commit.js';
import type { JsonValue, ProtocolName, StreamEvent } from '../../core/protocols/types.js';
import { parseProtocolName } from '../../core/protocols/types.js';

/** A stream of `events`, then (if `hang`) silence until `release()` is called. */
function upstream(name: ProtocolName, events: StreamEvent[], hang?: Promise<void>): StreamResponse & { released: () => boolean } {
  let released = false;
  async function* gen(): AsyncGenerator<StreamEvent> {
    try {
      for (const ev of events) yield ev;
      if (hang) await hang;
    } finally {
      released = true;
    }
  }
  return { kind: 'stream', status: 200, headers: {}, protocol: parseProtocolName(name), events: gen(), released: () => released };
}

const data = (...items: JsonValue[]): StreamEvent[] => items.map((d) => ({ data: d }));
const chat = (delta: Record<string, JsonValue>, finish: string | null = null): JsonValue => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

async function drain(r: StreamResponse): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of r.events) out.push(ev);
  return out;
}
async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try { await p; } catch (err) { return err as GatewayError; }
  throw new Error('expected a failure');
}
const opts = { provider: 'p', holdMs: 10_000, observe: () => undefined };

describe('commitStream', () => {
  it('holds Chat preamble (role-only chunk, Azure prompt_filter_results) and replays it at the first content', async () => {
    const events = data({ choices: [], prompt_filter_results: [] }, chat({ role: 'assistant', content: '' }), chat({ content: 'hi' }), chat({}, 'stop'), '[DONE]');
    const r = await commitStream(upstream('openai.chat', events), opts);
    expect(await drain(r), '[DONE] is not forwarded').to.deep.equal(events.slice(0, 4));
  });

  it('an error after Chat preamble is an upstream failure with the status the error implies', async () => {
    const src = upstream('openai.chat', data(chat({ role: 'assistant' }), { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }));
    const err = await failure(commitStream(src, opts));
    expect([err.code, err.status, err.message]).to.deep.equal(['SLUICE_E_UPSTREAM_ERROR', 429, 'slow down']);
    expect(src.released(), 'the upstream is released').to.equal(true);
  });

  it('finish_reason "" (sent on every chunk by some servers) is not an end', async () => {
    const r = await commitStream(upstream('openai.chat', data(chat({ content: 'a' }, ''), chat({ content: 'b' }, ''))), opts);
    const err = await failure(drain(r));
    expect(err.code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
  });

  it('a bare [DONE] (or preamble, unreadable lines, then [DONE]) is an empty Chat stream, truncated like nothing at all', async () => {
    // The openai SDK's own stream helper refuses it too ("request ended without sending any chunks").
    expect((await failure(commitStream(upstream('openai.chat', data('[DONE]')), opts))).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    const role = { choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
    expect((await failure(commitStream(upstream('openai.chat', data(role, 'data: {"choices":[]}', '[DONE]')), opts))).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    expect((await failure(commitStream(upstream('openai.chat', []), opts))).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    // An empty answer that says it is finished is complete: finish_reason, then [DONE].
    const finished = { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    expect(await drain(await commitStream(upstream('openai.chat', data(role, finished, '[DONE]')), opts))).to.deep.equal(data(role, finished));
  });

  it('Anthropic: message_start and ping are preamble; overloaded_error before content is a 529 with the upstream body', async () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const err = await failure(commitStream(upstream('anthropic.messages', [
      { event: 'message_start', data: { type: 'message_start', message: {} } }, { event: 'ping', data: { type: 'ping' } }, { event: 'error', data: body },
    ]), opts));
    expect(err.status).to.equal(529);
    expect(err.upstream).to.deep.equal({ family: 'anthropic', body });
  });

  it('Responses: an error event before content is rewrapped in the OpenAI envelope; response.failed too', async () => {
    const err = await failure(commitStream(upstream('openai.responses', data({ type: 'response.created', response: {} }, { type: 'error', code: 'server_error', message: 'boom', param: null, sequence_number: 1 })), opts));
    expect(err.status).to.equal(502);
    expect(err.upstream?.body).to.deep.equal({ error: { message: 'boom', type: 'api_error', param: null, code: 'server_error' } });
    const failed = await failure(commitStream(upstream('openai.responses', data({ type: 'response.failed', response: { error: { code: 'rate_limit_exceeded', message: 'later' } } })), opts));
    expect([failed.status, failed.message]).to.deep.equal([429, 'later']);
    // A type the event does not give follows the status: a 429 is a rate-limit error, not api_error.
    expect(failed.upstream?.body).to.have.nested.property('error.type', 'rate_limit_error');
    const limited = await failure(commitStream(upstream('openai.responses', data({ type: 'error', code: 'rate_limit_exceeded', message: 'slow down', param: null, sequence_number: 0 })), opts));
    expect(limited.status).to.equal(429);
    expect(limited.upstream?.body).to.deep.equal({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
  });

  it('an error type or status named like an Object.prototype member is an unknown one (502), not a lookup of the prototype', async () => {
    for (const type of ['constructor', 'toString', '__proto__']) {
      const anthropic = await failure(commitStream(upstream('anthropic.messages', [{ event: 'error', data: { type: 'error', error: { type, message: 'x' } } }]), opts));
      const gemini = await failure(commitStream(upstream('gemini.generate', data({ error: { message: 'x', status: type } })), opts));
      const responses = await failure(commitStream(upstream('openai.responses', data({ type: 'error', code: type, message: 'x', param: null, sequence_number: 0 })), opts));
      expect([anthropic.status, gemini.status, responses.status], type).to.deep.equal([502, 502, 502]);
    }
  });

  it('Gemini: a usage-only chunk is preamble; the error code is the status; finishReason ends the stream', async () => {
    const err = await failure(commitStream(upstream('gemini.generate', data({ usageMetadata: { promptTokenCount: 1 } }, { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } })), opts));
    expect(err.status).to.equal(503);
    const whole = data({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }, { candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'STOP' }] });
    expect(await drain(await commitStream(upstream('gemini.generate', whole), opts))).to.have.length(2);
    const cut = await commitStream(upstream('gemini.generate', whole.slice(0, 1)), opts);
    expect((await failure(drain(cut))).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
  });

  it('commits after holdMs of preamble without content, and still delivers what comes next', async () => {
    let release!: () => void;
    const hang = new Promise<void>((r) => { release = r; });
    const src = upstream('anthropic.messages', [{ event: 'message_start', data: { type: 'message_start', message: {} } }], hang);
    const started = performance.now();
    const r = await commitStream(src, { ...opts, holdMs: 50 });
    expect(performance.now() - started).to.be.at.least(45);
    const it = r.events[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.include({ event: 'message_start' });
    release();
    // The source then ends without message_stop: truncated, reported in-stream.
    expect((await failure(it.next())).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
  });

  it('a committed stream returned early (the client left), failing, or truncated releases the upstream; one never read does not read it', async () => {
    const long = (): StreamEvent[] => data(chat({ role: 'assistant', content: 'a' }), chat({ content: 'b' }), chat({ content: 'c' }), chat({}, 'stop'), '[DONE]');
    const early = upstream('openai.chat', long());
    const it = (await commitStream(early, opts)).events[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.equal(long()[0]);
    expect(early.released(), 'still streaming').to.equal(false);
    expect(await it.return!()).to.deep.equal({ done: true, value: undefined });
    expect(early.released(), 'returned: released').to.equal(true);
    expect(await it.next(), 'and over').to.deep.equal({ done: true, value: undefined });

    const broken = upstream('openai.chat', long(), new Promise(() => undefined));
    let seen = 0;
    const r = await commitStream(broken, { ...opts, observe: () => { if (++seen === 3) throw new Error('observer failed'); } });
    expect((await failure(drain(r))).message).to.equal('observer failed');
    expect(broken.released(), 'failed: released').to.equal(true);

    const cut = upstream('openai.chat', data(chat({ content: 'a' })), Promise.resolve());
    expect((await failure(drain(await commitStream(cut, opts)))).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    expect(cut.released()).to.equal(true);

    let reads = 0;
    const unread = upstream('openai.chat', long());
    const counted = { ...unread, events: { [Symbol.asyncIterator]: () => { const i = unread.events[Symbol.asyncIterator](); return { next: () => { reads++; return i.next(); }, return: () => i.return!() }; } } };
    const idle = await commitStream(counted, opts);
    const before = reads;
    await idle.events[Symbol.asyncIterator]().return!();
    expect(reads, 'nothing read after the commit').to.equal(before);
  });

  it('a source that throws as it is read after the commit fails the stream and is returned', async () => {
    let returned = false;
    let reads = 0;
    const first = chat({ role: 'assistant', content: 'a' });
    const source = { [Symbol.asyncIterator]: () => ({
      next: () => { if (reads++ === 0) return Promise.resolve({ done: false, value: { data: first } }); throw new Error('read failed'); },
      return: () => { returned = true; return Promise.resolve({ done: true, value: undefined }); },
    }) } as unknown as AsyncIterable<StreamEvent>;
    const r = await commitStream({ ...upstream('openai.chat', []), events: source }, opts);
    const it = r.events[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.equal({ data: first });
    expect((await failure(it.next())).message).to.equal('read failed');
    expect(returned).to.equal(true);
  });

  it('pass replaces or drops events after they are observed; the sentinel is neither observed nor passed', async () => {
    const events = data(chat({ role: 'assistant', content: 'a' }), chat({ content: 'b' }), { choices: [], usage: { total_tokens: 3 } }, chat({}, 'stop'), '[DONE]');
    const observed: StreamEvent[] = [];
    const r = await commitStream(upstream('openai.chat', events), {
      ...opts, observe: (ev) => observed.push(ev),
      pass: (ev) => ((ev.data as { usage?: unknown }).usage ? undefined : ev === events[1] ? { data: 'b, replaced' } : ev),
    });
    expect(await drain(r)).to.deep.equal([events[0], { data: 'b, replaced' }, events[3]]);
    expect(observed, 'every upstream event but the sentinel, usage included').to.deep.equal(events.slice(0, 4));
  });

  it('a protocol without a known grammar commits at its first event and is not checked at its end', async () => {
    const r = await commitStream(upstream('openai.embeddings', data({ x: 1 })), opts);
    expect(await drain(r)).to.deep.equal(data({ x: 1 }));
  });

  it('observes the preamble as it is held (a client gone during the hold keeps its usage), and never twice', async () => {
    const preamble: StreamEvent[] = [
      { event: 'message_start', data: { type: 'message_start', message: { usage: { input_tokens: 50, cache_read_input_tokens: 20, output_tokens: 1 } } } },
      { event: 'ping', data: { type: 'ping' } },
    ];
    const rest: StreamEvent[] = [
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ];
    let release!: () => void;
    const hang = new Promise<void>((r) => { release = r; });
    const seen: StreamEvent[] = [];
    async function* gen(): AsyncGenerator<StreamEvent> {
      yield* preamble;
      await hang;
      yield* rest;
    }
    const committing = commitStream({ kind: 'stream', status: 200, headers: {}, protocol: parseProtocolName('anthropic.messages'), events: gen() }, { ...opts, observe: (ev) => seen.push(ev) });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen, 'observed while held, before any commit').to.deep.equal(preamble);
    release();
    expect(await drain(await committing), 'every event passed on').to.deep.equal([...preamble, ...rest]);
    expect(seen, 'each observed once').to.deep.equal([...preamble, ...rest]);
  });
});
