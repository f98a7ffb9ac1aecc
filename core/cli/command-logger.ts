// The logger of a CLI command other than `sluice start`: its lines go to stderr, because a command's
// stdout is its output and scripts parse it (`sluice usage --json | jq`). `sluice start` has no output
// but its logs, and keeps them on stdout.
import { createLogger, lazyLogger, type Logger, type LogLevel } from '../observability/logger.js';

/** Made on first use: a command that logs nothing never loads pino. */
export function commandLogger(level: LogLevel): Logger {
  return lazyLogger(() => createLogger({ level, write: (line) => { process.stderr.write(line); } }));
}
