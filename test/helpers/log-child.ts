// Run in a child process by the observability tests: logs through the real stdout sink (not the
// tests' in-memory writer) and reports on stderr what it observed.
//   node log-child.js flood N       — log N lines without yielding, then report event-loop delay
//   node log-child.js flush FILE    — log 3 lines, await flush(), count lines in FILE (its stdout)
//   node log-child.js exit N        — log N lines and process.exit(0) at once
//   node log-child.js chunk FILE    — log past one 64 KiB chunk, count lines in FILE (its stdout) at once
//   node log-child.js pretty        — pretty output with a secret in a redacted field
import { readFileSync } from 'node:fs';
import { createLogger } from '../../core/observability/logger.js';

const [mode, arg] = process.argv.slice(2);
const report = (fields: Record<string, unknown>) => process.stderr.write(JSON.stringify(fields) + '\n');

if (mode === 'flood') {
  const logger = createLogger({ level: 'info', pretty: false });
  const n = Number(arg);
  const padding = 'x'.repeat(200);
  const scheduled = performance.now();
  // A timer due in 10 ms: with blocking writes to a full pipe it could not fire until the reader drains it.
  setTimeout(() => {
    report({ timerLateMs: performance.now() - scheduled - 10 });
    void logger.flush().then(() => process.exit(0));
  }, 10);
  for (let i = 0; i < n; i++) logger.info('request', { i, padding });
  report({ logged: n, loopMs: performance.now() - scheduled });
} else if (mode === 'flush') {
  const logger = createLogger({ level: 'info', pretty: false });
  for (let i = 0; i < 3; i++) logger.info('line', { i });
  await logger.flush();
  // Stdout is this file: what flush() handed to the OS is in it now, before the 250 ms timer.
  report({ linesAfterFlush: readFileSync(arg!, 'utf8').split('\n').filter(Boolean).length });
  process.exit(0);
} else if (mode === 'chunk') {
  const logger = createLogger({ level: 'info', pretty: false });
  const padding = 'x'.repeat(200);
  for (let i = 0; i < 240; i++) logger.info('line', { i, padding });
  // No await, no flush: with stdout a regular file, a full chunk was written as it was handed on.
  // An asynchronous write would still be pending here (its callback runs on a later turn).
  const pendingFsRequests = process.getActiveResourcesInfo().filter((r) => r === 'FSReqCallback').length;
  report({ pendingFsRequests, linesWrittenAtOnce: readFileSync(arg!, 'utf8').split('\n').filter(Boolean).length });
  process.exit(0);
} else if (mode === 'exit') {
  const logger = createLogger({ level: 'info', pretty: false });
  for (let i = 0; i < Number(arg); i++) logger.info('line', { i });
  process.exit(0);
} else if (mode === 'pretty') {
  const logger = createLogger({ level: 'info', pretty: true });
  logger.info('pretty line', { api_key: 'sk-pretty-secret-123', model: 'gpt-x' });
  await logger.flush();
  process.exit(0);
}
