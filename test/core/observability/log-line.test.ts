// The access log's fast path (logLine) must write exactly the line pino would write for the same
// call: same keys in the same order, undefined fields left out, the same escaping.
import { expect } from 'chai';
import { createLogger, logLine, type Logger } from '../../../core/observability/logger.js';

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
