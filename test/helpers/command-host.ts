// A CommandHost for calling plugin commands directly in tests (SQLite in a temp dir, no Redis).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../core/config/load.js';
import { createLogger } from '../../core/observability/logger.js';
import type { CommandHost } from '../../core/plugin/host.js';
import { commandHost, openServices } from '../../core/plugin/services.js';

export function testCommandHost(yaml = 'providers: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }]\n'): CommandHost & { close(): Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-cmd-'));
  const loaded = parseConfigText(yaml, path.join(dir, 'sluice.yaml'), {});
  const services = openServices(loaded, () => []);
  return { ...commandHost(loaded, services, createLogger({ level: 'silent' })), close: () => services.close() };
}
