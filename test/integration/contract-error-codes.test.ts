// Plugin error codes, from a plugin's side: a plugin declares its own SLUICE_E_* code with a
// status, a class per client family and `outcome: 'blocked'`; throwing it reaches every official
// SDK as that SDK's typed error with the status, JSON and stream requests alike, and is logged and
// handed to onRequest as blocked. A code that breaks the rules fails start-up — and
// `sluice config validate` — with file:line:col pointing at the plugin.
import { expect } from 'chai';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import OpenAI from 'openai';
import { ConfigError } from '../../core/config/config-error.js';
import { config, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { familyProviders, familyRouter, logLineFor, modelIn, runSluice, waitFor } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { anthropicClient, genaiClient, openaiClient } from '../helpers/translation-rig.js';
import { writeFileSync } from 'node:fs';

const CODE = 'SLUICE_E_EXAMPLE_REFUSED';
const MESSAGE = 'refused by the example policy';

const PLUGIN = `import { definePlugin, z, GatewayError } from 'sluice';
export default definePlugin({ name: 'example-policy', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  errors: { ${CODE}: { status: 422, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT', outcome: 'blocked' } },
  setup: () => ({
    middleware: async ({ exchange }, next) => {
      if (exchange.model.endsWith('-refuse')) throw new GatewayError('${CODE}', '${MESSAGE}');
      await next();
    },
    onRequest(r) { (globalThis.__codeRecords ??= []).push({ id: r.id, outcome: r.outcome, status: r.status, errorCode: r.errorCode }); },
  }) });`;

declare global {
  // eslint-disable-next-line no-var
  var __codeRecords: { id: string; outcome: string; status: number; errorCode: string | undefined }[] | undefined;
}

const bad = (name: string, errors: string) => `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: '${name}', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  errors: ${errors},
  setup: () => ({}) });`;
const SPEC = "{ status: 422, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' }";

describe('contract: a plugin\'s own error code', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({ providers: familyProviders(up.origin), chain: `  - use: ./policy.js\n${familyRouter()}` }), { files: { 'policy.js': PLUGIN } });
  });
  beforeEach(() => { globalThis.__codeRecords = []; });
  after(async () => { await gw.close(); await up.close(); });

  /** Checks what every client gets beside its SDK's error: no upstream call, a blocked log line and record. */
  async function recorded(id: string, before: number): Promise<void> {
    expect(up.requests.length).to.equal(before);
    expect(await logLineFor(gw, id)).to.include({ status: 422, outcome: 'blocked', error: CODE });
    const rec = await waitFor(() => globalThis.__codeRecords!.find((r) => r.id === id), 'onRequest');
    expect(rec).to.deep.equal({ id, outcome: 'blocked', status: 422, errorCode: CODE });
  }

  for (const stream of [false, true]) {
    const kind = stream ? 'stream' : 'JSON';
    it(`OpenAI Chat and Responses (${kind}): UnprocessableEntityError with the code`, async () => {
      const client = openaiClient(gw.url);
      const before = up.requests.length;
      const chat = await client.chat.completions.create({ model: modelIn('openai.chat', 'refuse'), stream, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': `code-chat-${kind}` } })
        .then(() => undefined, (e: unknown) => e);
      const resp = await client.responses.create({ model: modelIn('openai.responses', 'refuse'), stream, input: 'x' }, { headers: { 'x-request-id': `code-responses-${kind}` } })
        .then(() => undefined, (e: unknown) => e);
      for (const err of [chat, resp]) {
        expect(err).to.be.instanceOf(OpenAI.UnprocessableEntityError);
        const e = err as InstanceType<typeof OpenAI.UnprocessableEntityError>;
        expect(e.status).to.equal(422);
        expect(e.code).to.equal(CODE);
        expect(e.type).to.equal('invalid_request_error');
        expect(e.message).to.contain(MESSAGE);
      }
      await recorded(`code-chat-${kind}`, before);
      await recorded(`code-responses-${kind}`, before);
    });

    it(`Anthropic Messages (${kind}): UnprocessableEntityError of type invalid_request_error`, async () => {
      const client = anthropicClient(gw.url);
      const before = up.requests.length;
      const body = { model: modelIn('anthropic.messages', 'refuse'), max_tokens: 16, messages: [{ role: 'user' as const, content: 'x' }] };
      const opts = { headers: { 'x-request-id': `code-anthropic-${kind}` } };
      const err = await (stream ? client.messages.stream(body, opts).finalMessage() : client.messages.create(body, opts)).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Anthropic.UnprocessableEntityError);
      const e = err as InstanceType<typeof Anthropic.UnprocessableEntityError>;
      expect(e.status).to.equal(422);
      expect(e.error).to.deep.equal({ type: 'error', error: { type: 'invalid_request_error', message: MESSAGE } });
      await recorded(`code-anthropic-${kind}`, before);
    });

    it(`Gemini (${kind}): ApiError with status 422 and INVALID_ARGUMENT`, async () => {
      const ai = genaiClient(gw.url);
      const before = up.requests.length;
      const req = { model: modelIn('gemini.generate', 'refuse'), contents: 'x', config: { httpOptions: { headers: { 'x-request-id': `code-gemini-${kind}` } } } };
      const err = await (stream ? ai.models.generateContentStream(req) : ai.models.generateContent(req)).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ApiError);
      const e = err as ApiError;
      expect(e.status).to.equal(422);
      expect(e.message).to.contain('INVALID_ARGUMENT').and.to.contain(MESSAGE);
      await recorded(`code-gemini-${kind}`, before);
    });
  }

  describe('a code that breaks the rules fails start-up and validate at the plugin\'s use: line', () => {
    const cases: [string, string, RegExp][] = [
      ['a name without the prefix', `{ EXAMPLE_REFUSED: ${SPEC} }`, /error code "EXAMPLE_REFUSED" must look like SLUICE_E_SOMETHING/],
      ['a status that is not an error', `{ SLUICE_E_CONTRACT_OK_${process.pid}: { status: 200, openai: 'x', anthropic: 'x', gemini: 'x' } }`, /needs an HTTP status from 400 to 599/],
      ['a core code redefined', `{ SLUICE_E_BLOCKED: ${SPEC} }`, /error code SLUICE_E_BLOCKED is already defined differently/],
      // A plugin in JavaScript gets no type check: without its classes the code would render an
      // OpenAI error without `type`, an Anthropic one without `error.type`, a Gemini one without `status`.
      ['a code without its error classes', `{ SLUICE_E_CONTRACT_NOCLASS_${process.pid}: { status: 429 } }`, /needs openai, anthropic and gemini error classes \(strings\)/],
      ['an outcome other than blocked', `{ SLUICE_E_CONTRACT_OUTCOME_${process.pid}: { status: 403, openai: 'x', anthropic: 'x', gemini: 'x', outcome: 'block' } }`, /outcome may only be "blocked"/],
    ];
    for (const [i, [what, errors, message]] of cases.entries()) {
      it(what, async () => {
        const dir = tempDir();
        const yaml = config({ chain: '  - use: router\n    with: { default: local }\n  - use: ./bad-codes.js' });
        const useLine = yaml.split('\n').findIndex((l) => l.includes('./bad-codes.js')) + 1;
        const err = await startGateway(yaml, { dir, files: { 'bad-codes.js': bad('bad-codes', errors) } }).then(async (g) => { await g.close(); }, (e: unknown) => e);
        expect(err).to.be.instanceOf(ConfigError);
        const where = new RegExp(`sluice\\.yaml:${useLine}:\\d+: plugin bad-codes: `);
        expect((err as Error).message).to.match(where).and.to.match(message);

        // `config validate` makes the same check (validating must not pass what start refuses); once is enough.
        if (i > 0) return;
        writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
        const v = await runSluice(['config', 'validate', '--config', path.join(dir, 'sluice.yaml')]);
        expect(v.code).to.equal(1);
        expect(v.stderr).to.match(where).and.to.match(message);
      });
    }
  });
});
