// logging.level is applied by a reload (SIGHUP or the file watch): an operator turns on debug to
// look at a problem on a running gateway and off again, without a restart cutting its streams.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGateway, type Gateway } from '../../core/app.js';
import { loadConfigFile } from '../../core/config/load.js';
import { createLogger } from '../../core/observability/logger.js';
import { listen, type RunningServer } from '../../core/server.js';
import { tempDir } from '../helpers/gateway.js';

// A plugin that logs at debug on each request through its host logger (a child logger).
const CHATTY_PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'chatty', version: '1.0.0', sluice: '>=0.1.0', options: z.strictObject({}),
  setup: (_o, host) => ({ middleware: async (ctx, next) => { host.logger.debug('chatty saw a request'); await next(); } }) });`;

const yaml = (level: string) => `server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
logging: { level: ${level} }
providers:
  local: { type: loopback }
chain:
  - use: ./chatty.js
  - use: router
    with: { default: local }
`;

describe('reload: logging.level', () => {
  let gateway: Gateway;
  let running: RunningServer;
  let file: string;
  const logs: string[] = [];
  before(async () => {
    const dir = tempDir();
    file = path.join(dir, 'sluice.yaml');
    writeFileSync(path.join(dir, 'chatty.js'), CHATTY_PLUGIN);
    writeFileSync(file, yaml('info'));
    const loaded = await loadConfigFile(file);
    gateway = await createGateway(loaded, { logger: createLogger({ level: loaded.config.logging.level, write: (l) => { logs.push(l); } }), checkChain: true });
    running = await listen(gateway, 0, '127.0.0.1');
  });
  after(async () => { await running?.shutdown('test'); });

  const request = async () => {
    const res = await fetch(`http://127.0.0.1:${running.port}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    expect(res.status).to.equal(200);
  };
  const since = (from: number) => logs.slice(from).map((l) => JSON.parse(l) as { level: string; msg: string; plugin?: string; sections?: string[] });

  it('turns debug on and off for core and plugin loggers alike, and does not call logging a start-only section', async () => {
    let mark = logs.length;
    await request();
    expect(since(mark).map((l) => l.msg)).to.deep.equal(['request']);

    writeFileSync(file, yaml('debug'));
    mark = logs.length;
    await gateway.reload();
    expect(since(mark).filter((l) => /did not apply/.test(l.msg))).to.deep.equal([]);
    mark = logs.length;
    await request();
    const debug = since(mark);
    expect(debug.map((l) => l.msg)).to.include('chatty saw a request');
    expect(debug.find((l) => l.msg === 'chatty saw a request')!.plugin).to.equal('chatty');
    expect(debug.map((l) => l.msg)).to.include('request');

    writeFileSync(file, yaml('warn'));
    mark = logs.length;
    await gateway.reload();
    // The reload that quietens the log is still seen: its line is written before the change.
    expect(since(mark).filter((l) => l.msg === 'config reloaded')).to.have.length(1);
    mark = logs.length;
    await request();
    expect(since(mark)).to.deep.equal([]);

    // And so is the one that makes it verbose again: its line is written after the change.
    writeFileSync(file, yaml('info'));
    mark = logs.length;
    await gateway.reload();
    expect(since(mark).filter((l) => l.msg === 'config reloaded')).to.have.length(1);
  });
});
