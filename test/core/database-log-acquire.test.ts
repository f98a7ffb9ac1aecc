// knex logs a failed connection attempt ("Acquire connection error", with a stack) and then rejects
// the query with the same error: that caller reports it, so the log keeps it at debug, and no knex
// message carries stack frames into the log.
import { expect } from 'chai';
import { knexLog } from '../../core/storage/database.js';
import { createLogger } from '../../core/observability/logger.js';

describe('database driver messages: connection attempts', () => {
  const parsedLines = (level: 'debug' | 'info', say: (log: NonNullable<ReturnType<typeof knexLog>>) => void) => {
    const lines: string[] = [];
    say(knexLog(createLogger({ level, write: (l) => { lines.push(l); } }))!);
    return lines.map((l) => JSON.parse(l) as { level: string; message: string });
  };

  it('a failed acquire is logged at debug, not warn: the query that wanted the connection fails with it', () => {
    const acquire = 'Acquire connection error: Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)';
    expect(parsedLines('info', (log) => log.warn!(acquire))).to.deep.equal([]);
    expect(parsedLines('debug', (log) => log.warn!(acquire)).map((l) => [l.level, l.message]))
      .to.deep.equal([['debug', 'Acquire connection error: Error: connect ECONNREFUSED 127.0.0.1:5432']]);
  });

  it('other messages keep their level, without the stack frames knex appends', () => {
    const lines = parsedLines('info', (log) => log.warn!('Connection Error: Error: Connection terminated unexpectedly\n    at Connection.<anonymous> (/x/pg/lib/client.js:204:73)\n    at Object.onceWrapper (node:events:638:28)'));
    expect(lines.map((l) => [l.level, l.message])).to.deep.equal([['warn', 'Connection Error: Error: Connection terminated unexpectedly']]);
  });
});
