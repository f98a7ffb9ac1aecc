// A third-party plugin's stray rejection must not end the gateway: an async onRequest that throws,
// and a throw inside the plugin's own `exchange.completed.then(…)` (the pattern the greeting example
// teaches) are logged, and `sluice start` keeps serving.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, tempDir } from '../helpers/gateway.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({
  name: 'careless', version: '1.0.0', sluice: '>=0.1.0 <1', options: z.strictObject({}),
  setup() {
    return {
      middleware: async (ctx, next) => {
        await next();
        ctx.exchange.completed.then(() => { throw new Error('careless completed handler'); });
      },
      async onRequest() { throw new Error('careless async onRequest'); },
    };
  },
});
`;

describe("a plugin's stray rejections do not end the gateway", function () {
  this.timeout(30_000);

  it('logs them and keeps serving', async () => {
    const dir = tempDir('sluice-plugin-rejections-');
    const port = await freePort();
    writeFileSync(path.join(dir, 'careless.js'), PLUGIN);
    writeFileSync(path.join(dir, 'sluice.yaml'), `server: { port: ${port}, shutdown_grace_ms: 200 }
storage: { database: "sqlite:./data.db" }
providers: { local: { type: loopback } }
chain:
  - use: ./careless.js
  - use: router
    with: { default: local }
`);
    const gw = await startSluiceProcess(['--config', path.join(dir, 'sluice.yaml')], `http://127.0.0.1:${port}/health`);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        });
        expect(res.status).to.equal(200);
        await res.text();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(gw.child.exitCode).to.equal(null);
      // onRequest runs after the answer is written: on a busy machine its line can come a little later.
      for (let i = 0; i < 100 && !(gw.output.join('').includes('onRequest listener failed') && gw.output.join('').includes('unhandled promise rejection')); i++) await new Promise((r) => setTimeout(r, 50));
      const log = gw.output.join('');
      expect(log).to.match(/onRequest listener failed/);
      // Which plugin's listener: with several in the chain, the stack alone would have to say.
      expect(log).to.match(/"plugin":"careless"[^\n]*"msg":"onRequest listener failed"|"msg":"onRequest listener failed"[^\n]*"plugin":"careless"/);
      expect(log).to.match(/unhandled promise rejection/);
      expect(log).to.include('careless completed handler');
    } finally {
      await gw.stop();
    }
  });
});
