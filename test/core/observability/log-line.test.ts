// The access log's fast path (logLine) must write exactly the line pino would write for the same
// call: same keys in the same order, undefined fields left out, the same escaping.
import { expect } from 'chai';
import { createLogger, isoNow, logLine, type Logger } from '../../../core/observability/logger.js';
import { accessFields, accessMembers, type FinishedRequest } from '../../../core/http/request-log.js';
import { GatewayError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.js';
import type { Provider } from '../../../core/providers/provider.js';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  return { logger: createLogger({ level, write: (l) => { lines.push(l); } }), lines };
}
/** The line without its time, which differs between two calls. */
const untimed = (line: string) => line.replace(/"time":"[^"]+"/, '"time":"T"');

describe('logLine (the access log fast path)', () => {
  const fields = {
    request_id: 'req_1', endpoint: 'openai.chat', method: undefined, path: undefined, model: 'gpt-4o "mini"\n\u2028é',
    provider: 'mock', user: undefined, stream: false, status: 200, ms: 1.234, ttfb_ms: Number.NaN,
    usage: { inputTokens: 27, outputTokens: 21, estimated: false }, fallbacks: [{ provider: 'a', code: 'X', status: 502 }], findings: undefined,
  };

  it('writes the line logger.info writes, byte for byte but the time', () => {
    const viaPino = capture();
    viaPino.logger.info('request', fields);
    const fast = capture();
    logLine(fast.logger, 'info', 'request', fields);
    expect(fast.lines).to.have.length(1);
    expect(untimed(fast.lines[0]!)).to.equal(untimed(viaPino.lines[0]!));
    const parsed = JSON.parse(fast.lines[0]!) as Record<string, unknown>;
    expect(Object.keys(parsed)).to.deep.equal(['level', 'time', 'request_id', 'endpoint', 'model', 'provider', 'stream', 'status', 'ms', 'ttfb_ms', 'usage', 'fallbacks', 'msg']);
    expect(Date.parse(String(parsed['time']))).to.be.closeTo(Date.now(), 5000);
  });

  it('writes an empty field set as pino does', () => {
    const viaPino = capture();
    viaPino.logger.info('bare', {});
    const fast = capture();
    logLine(fast.logger, 'info', 'bare', {});
    expect(untimed(fast.lines[0]!)).to.equal(untimed(viaPino.lines[0]!));
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logLine(logger, 'info', 'request', fields);
    expect(lines).to.deep.equal([]);
  });

  it('falls back to the ordinary call on a logger it does not own (a child, a custom logger)', () => {
    const { logger, lines } = capture();
    logLine(logger.child({ plugin: 'x' }), 'info', 'request', { status: 1 });
    expect(JSON.parse(lines[0]!)).to.include({ plugin: 'x', status: 1, msg: 'request' });
    const seen: unknown[] = [];
    const custom = { info: (msg: string, f: unknown) => seen.push([msg, f]) } as unknown as Logger;
    logLine(custom, 'info', 'request', { status: 2 });
    expect(seen).to.deep.equal([['request', { status: 2 }]]);
  });
});

describe('the access line written by hand (accessMembers)', () => {
  const provider = { name: 'mock' } as unknown as Provider;
  const base = (over: Partial<FinishedRequest>, ex?: Partial<Exchange>): FinishedRequest => ({
    id: 'req_0123abc', endpoint: 'openai.chat', family: 'openai', method: 'POST', path: '/v1/chat/completions', peerAddress: '127.0.0.1', clientAddress: '127.0.0.1',
    receivedAt: 0, completion: { outcome: 'success', status: 200, usage: undefined, error: undefined, firstByteMs: 1.23456, totalMs: 2.5 },
    exchange: ex ? { model: 'gpt-4o-mini', stream: false, attempts: [], findings: [], sessionId: undefined, principal: undefined, target: undefined, ...ex } as unknown as Exchange : undefined,
    ...over,
  });
  const cases: [string, FinishedRequest, boolean][] = [
    ['a plain success', base({}, { target: { provider, model: 'gpt-4o-mini', protocol: { family: 'openai', operation: 'chat' } } }), true],
    ['escapes, usage, fallbacks, findings, a principal and a session', base({
      completion: { outcome: 'error', status: 502, usage: { inputTokens: 3, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true },
        error: new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x'), firstByteMs: undefined, totalMs: Number.NaN },
      clientAddress: '',
    }, {
      model: 'gpt "4o"\n\u2028é', stream: true, sessionId: 's:1', principal: { user: 'ann@example.com' } as Exchange['principal'],
      target: { provider, model: '', protocol: { family: 'openai', operation: 'chat' } },
      attempts: [{ provider: 'a', model: 'm', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 503 }],
      findings: [{ type: 'email', count: 2, action: 'redact' }] as unknown as Exchange['findings'],
    }), true],
    ['a refusal before the exchange, with the session its headers name', base({ sessionId: 'sess-1', completion: { outcome: 'error', status: 400, usage: undefined, error: new GatewayError('SLUICE_E_BAD_JSON', 'x'), firstByteMs: 1, totalMs: 2 } }), true],
    ['an upstream error with its type and code, and a system error behind an unreachable provider', base({
      completion: { outcome: 'error', status: 429, usage: undefined, firstByteMs: 1, totalMs: 2,
        error: new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'x', { status: 429, upstream: { family: 'gemini', body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'm', details: [{ reason: 'RATE_LIMIT_EXCEEDED' }] } } } }) },
    }), true],
    ['a provider that could not be reached', base({
      completion: { outcome: 'error', status: 502, usage: undefined, firstByteMs: 1, totalMs: 2,
        error: new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', 'x', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }) },
    }), true],
    ['a rejection before any endpoint (method and path logged)', base({ endpoint: 'none', method: 'PUT', path: '/nope/"x"', exchange: undefined }), false],
  ];
  for (const [name, r, matched] of cases) {
    it(`is what JSON.stringify makes of the fields: ${name}`, () => {
      expect(accessMembers(r, matched)).to.equal(JSON.stringify(accessFields(r, matched)).slice(1, -1));
    });
  }
});

describe('the access line: milliseconds as JSON writes them', () => {
  it('matches JSON.stringify for whole, fractional and odd values', () => {
    const values = [0, 1, 2.5, 0.001, 0.0004, 0.0005, 1.2345, 10.1, 10.01, 10.001, 99.999, 99.9995, 123456.789, 1e-9, 7.1000001, 3.0999999, Number.NaN, Number.POSITIVE_INFINITY];
    for (let i = 0; i < 2000; i++) values.push(Math.random() * 10 ** Math.floor(Math.random() * 7));
    for (const ms of values) {
      const r = {
        id: 'req_1', endpoint: 'openai.chat', family: 'openai', method: 'POST', path: '/', peerAddress: '', clientAddress: '', receivedAt: 0,
        completion: { outcome: 'success', status: 200, usage: undefined, error: undefined, firstByteMs: ms, totalMs: ms }, exchange: undefined,
      } as FinishedRequest;
      expect(accessMembers(r, true), String(ms)).to.equal(JSON.stringify(accessFields(r, true)).slice(1, -1));
    }
  });
});

describe('the log time (isoNow)', () => {
  it('is toISOString of Date.now(), across milliseconds, seconds and days', () => {
    const realNow = Date.now;
    try {
      const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
      for (const step of [0, 1, 5, 9, 10, 11, 99, 100, 1000, 1009, 1010, 1011, 2000, 86_400_000 + 7]) {
        const t = start + step;
        Date.now = () => t;
        expect(isoNow()).to.equal(new Date(t).toISOString());
      }
    } finally {
      Date.now = realNow;
    }
  });
});
