// The marketplace client reads at most MAX_ANSWER_BYTES of an answer: a marketplace (or something in
// front of it) that streams without end fails the call at once, instead of being read into memory
// until the timeout — or, with a long timeout, until the gateway runs out of memory.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, MarketplaceCallError, marketplaceClient } from '../../../plugins/marketplace/client.js';

describe('marketplace: an answer without end', () => {
  it('fails the call once it passes MAX_ANSWER_BYTES, well before the timeout', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"offers":["');
      const pump = () => { while (!res.destroyed && res.write(chunk)) sent += chunk.length; if (!res.destroyed) res.once('drain', pump); };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = marketplaceClient(() => ({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k', gatewayId: 'gw', timeoutMs: 20_000 }));
    const started = Date.now();
    let failure: unknown;
    try {
      await client.call('GET', '/v1/offers');
    } catch (err) { failure = err; } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(failure).to.be.instanceOf(MarketplaceCallError);
    expect((failure as MarketplaceCallError).message).to.equal(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    expect((failure as MarketplaceCallError).result).to.equal('refused');
    expect(Date.now() - started).to.be.below(10_000);
    // It stopped reading: the server could not push much past the limit (socket buffers aside).
    expect(sent).to.be.below(MAX_ANSWER_BYTES * 2);
  });
});
