// A body over body_limit is read to its end and thrown away (within a bound) before the 413, so the
// Node SDKs, which are still uploading when a connection closes, read the 413 as an APIError (not
// retried) instead of reporting a connection error (EPIPE, ECONNRESET) and uploading it all again.
// Past the bound an endless upload is still cut.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import net from 'node:net';
import OpenAI from 'openai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DISCARD_BYTES } from '../../core/http/body.js';
import { config, tempDir } from '../helpers/gateway.js';
import { startInstance, type Instance } from '../helpers/sluice-process.js';

const LIMIT = 10 * 1024 * 1024;

describe('an oversized body is answered 413 the SDKs can read', () => {
  // A process of its own, as QA ran it: a client in the gateway's own process does not see the race.
  let gw: Instance;
  before(async function () {
    this.timeout(30_000);
    const file = path.join(tempDir(), 'sluice.yaml');
    writeFileSync(file, config({ server: `  body_limit: ${LIMIT}\n  body_timeout_ms: 20000\n  shutdown_grace_ms: 200\n` }));
    gw = await startInstance(file);
  });
  after(() => { gw.child.kill('SIGTERM'); });

  const requests = () => gw.output.join('').split('\n').filter((l: string) => l.includes('"msg":"request"') && l.includes('"status":413')).length;

  it('openai and @anthropic-ai/sdk get an APIError 413 every time, one upload each, even with their retries on', async function () {
    this.timeout(60_000);
    // Far beyond the socket buffers, as the 11 MB prompt QA sent against a 10 MB limit.
    const big = 'a'.repeat(11 * 1024 * 1024);
    const before = requests();
    for (let i = 0; i < 4; i++) {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k' });
      const oe = await openai.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: big }] }).then(() => undefined, (e: unknown) => e);
      expect(oe, String(oe)).to.be.instanceOf(OpenAI.APIError).and.not.be.instanceOf(OpenAI.APIConnectionError);
      expect((oe as InstanceType<typeof OpenAI.APIError>).status).to.equal(413);
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k' });
      const ae = await anthropic.messages.create({ model: 'loopback', max_tokens: 5, messages: [{ role: 'user', content: big }] }).then(() => undefined, (e: unknown) => e);
      expect(ae, String(ae)).to.be.instanceOf(Anthropic.APIError).and.not.be.instanceOf(Anthropic.APIConnectionError);
      expect((ae as InstanceType<typeof Anthropic.APIError>).status).to.equal(413);
    }
    // Log lines reach us through the child's stdout: wait for the last one (never more than 8 come).
    for (let i = 0; i < 40 && requests() - before < 8; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    expect(requests() - before, 'no request retried').to.equal(8);
  });

  it('stops reading an endless upload once DISCARD_BYTES past the limit, and closes the connection', async function () {
    this.timeout(30_000);
    const sent = await new Promise<{ bytes: number; answer: string }>((resolve) => {
      const socket = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
      const piece = Buffer.from(`100000\r\n${'x'.repeat(0x100000)}\r\n`);
      let bytes = 0;
      let answer = '';
      const pump = () => { while (!socket.destroyed && bytes < 4 * DISCARD_BYTES) { bytes += piece.length; if (!socket.write(piece)) { socket.once('drain', pump); return; } } };
      socket.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
      socket.on('error', () => { /* the server's reset ends the upload: 'close' reports it */ });
      socket.on('close', () => resolve({ bytes, answer }));
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      pump();
    });
    expect(sent.bytes, 'the upload was cut').to.be.below(4 * DISCARD_BYTES);
    expect(sent.bytes).to.be.above(LIMIT + DISCARD_BYTES);
    expect(sent.answer).to.match(/^HTTP\/1\.1 413/);
  });
});
