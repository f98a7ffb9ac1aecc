// The logger of a CLI command other than `sluice start`: its lines go to stderr, because a command's
// stdout is its output and scripts parse it (`sluice usage --json | jq`). `sluice start` has no output
// but its logs, and keeps them on stdout.
import { createLogger, lazyLogger, type Logger, type LogLevel } from '../observability/logger.js';

/** Made on first use: a command that logs nothing never loads pino (nor asks `stderr` for its stream). */
export function commandLogger(level: LogLevel, stderr: () => NodeJS.WritableStream): Logger {
  return lazyLogger(() => {
    const out = stderr();
    return createLogger({ level, write: (line) => { out.write(line); } });
  });
}
