// knex's own messages (pool "Connection Error"s while PostgreSQL restarts) reach the structured log,
// each distinct one at most once per 10 s, never the console.
import { expect } from 'chai';
import { knexLog } from '../../core/storage/database.js';
import { createLogger } from '../../core/observability/logger.js';

describe('database driver messages', () => {
  it('go to the structured log once per distinct message, not to the console', () => {
    const lines: string[] = [];
    const log = knexLog(createLogger({ level: 'info', write: (l) => { lines.push(l); } }))!;
    const consoleLines: unknown[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => { consoleLines.push(args); };
    try {
      for (let i = 0; i < 50; i++) log.warn!('Connection Error: Error: Connection terminated unexpectedly');
      log.warn!('Connection Error: Error: connect ECONNREFUSED 127.0.0.1:5432');
      log.error!(new Error('pool destroyed'));
    } finally {
      console.log = original;
    }
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; msg: string; source: string; message: string });
    expect(parsed.map((l) => [l.level, l.message])).to.deep.equal([
      ['warn', 'Connection Error: Error: Connection terminated unexpectedly'],
      ['warn', 'Connection Error: Error: connect ECONNREFUSED 127.0.0.1:5432'],
      ['error', 'pool destroyed'],
    ]);
    expect(parsed.every((l) => l.msg === 'database driver message' && l.source === 'knex')).to.equal(true);
    expect(consoleLines).to.deep.equal([]);
  });
});
