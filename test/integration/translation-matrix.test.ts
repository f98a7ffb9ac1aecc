// The translation matrix: every client SDK (openai chat + responses, @anthropic-ai/sdk, @google/genai)
// against every upstream protocol (the passthrough one included), over real HTTP to a second gateway
// whose loopback model speaks the upstream protocol natively. The SDKs are the judges: (a) text,
// (b) streamed text the SDK assembles equal to the JSON call, (c) tool round trips with exact
// arguments, (d) parallel tool calls, (e) reasoning signatures that the upstream verifies next turn.
import { expect } from 'chai';
import { drivers, errorStatus, GENERATE, modelFor, startRig, type Driver, type GenProtocol, type Rig } from '../helpers/translation-rig.js';

const ENDPOINT_OF: Record<GenProtocol, RegExp> = {
  'openai.chat': /^openai\.chat$/, 'openai.responses': /^openai\.responses$/,
  'anthropic.messages': /^anthropic\.messages$/, 'gemini.generate': /^gemini\.generate(\.stream)?$/,
};

const ARGS = { city: 'Paris', days: 3, note: 'say "hi" — naïve café → 東京 \\ done' };
const TOOL_PROMPT = `what is the weather? [[tool:lookup ${JSON.stringify(ARGS)}]]`;
const PARALLEL_PROMPT = '[[parallel]] two cities [[tool:lookup {"city":"Paris"}]] [[tool:lookup {"city":"Rome","days":2}]]';

const PAIRS = GENERATE.flatMap((client) => GENERATE.map((upstream) => ({ client, upstream, label: `${client} → ${upstream}${client === upstream ? ' (passthrough)' : ''}` })));

/** A Gemini client sends a function result as an object; other families see it as JSON text. */
function expectToolReply(client: GenProtocol, text: string, result: string): void {
  if (client === 'gemini.generate') {
    expect(text).to.match(/^Tool lookup returned: /);
    expect(text).to.contain(result);
  } else {
    expect(text).to.equal(`Tool lookup returned: ${result}`);
  }
}

describe('translation matrix (official SDKs as judges)', () => {
  let rig: Rig;
  let clients: Record<GenProtocol, Driver>;

  before(async () => {
    rig = await startRig();
    clients = drivers(rig.a.url);
  });
  after(async () => { await rig.close(); });

  async function expectUpstream(upstream: GenProtocol): Promise<void> {
    const seen = await rig.upstreamEndpoints();
    expect(seen.length, 'gateway B saw the request').to.be.greaterThan(0);
    for (const ep of seen) expect(ep, 'protocol spoken upstream').to.match(ENDPOINT_OF[upstream]);
  }

  describe('(a) non-streaming text', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        rig.mark();
        const prompt = `hello from ${client} to ${upstream}`;
        const r = await clients[client].text(modelFor(upstream), prompt);
        expect(r.text).to.equal(`Loopback reply. You said: ${prompt}`);
        expect(r.inputTokens, 'input tokens').to.be.a('number').and.greaterThan(0);
        expect(r.outputTokens, 'output tokens').to.be.a('number').and.greaterThan(0);
        await expectUpstream(upstream);
      });
    }
  });

  describe('(b) streaming text equals the JSON call, with usage', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        const prompt = `stream  me, please: several words, "quotes" & ünïcode 🙂 from ${client}`;
        const json = await clients[client].text(modelFor(upstream), prompt);
        rig.mark();
        const streamed = await clients[client].streamText(modelFor(upstream), prompt);
        expect(streamed.text).to.equal(json.text);
        expect(streamed.inputTokens, 'streamed input tokens').to.be.a('number').and.greaterThan(0);
        expect(streamed.outputTokens, 'streamed output tokens').to.be.a('number').and.greaterThan(0);
        await expectUpstream(upstream);
      });
    }
  });

  describe('(c) tool round trip, JSON', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        const turn = await clients[client].tools(modelFor(upstream), TOOL_PROMPT, false);
        expect(turn.calls.map((c) => ({ name: c.name, args: c.args }))).to.deep.equal([{ name: 'lookup', args: ARGS }]);
        expect(turn.calls[0]!.id, 'call id').to.be.a('string').and.not.equal('');
        expectToolReply(client, await turn.reply(['sunny in Paris'], false), 'sunny in Paris');
      });
    }
  });

  describe('(c) tool round trip, streamed (arguments reassembled from fragments)', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        rig.mark();
        const turn = await clients[client].tools(modelFor(upstream), TOOL_PROMPT, true);
        expect(turn.calls.map((c) => ({ name: c.name, args: c.args }))).to.deep.equal([{ name: 'lookup', args: ARGS }]);
        expect(turn.calls[0]!.id, 'call id').to.be.a('string').and.not.equal('');
        expectToolReply(client, await turn.reply(['sunny in Paris'], true), 'sunny in Paris');
        await expectUpstream(upstream);
      });
    }
  });

  describe('(d) parallel tool calls, JSON then streamed', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        for (const stream of [false, true]) {
          const turn = await clients[client].tools(modelFor(upstream), PARALLEL_PROMPT, stream);
          expect(turn.calls.map((c) => ({ name: c.name, args: c.args })), `calls (stream: ${stream})`).to.deep.equal([
            { name: 'lookup', args: { city: 'Paris' } },
            { name: 'lookup', args: { city: 'Rome', days: 2 } },
          ]);
          expect(new Set(turn.calls.map((c) => c.id)).size, 'distinct call ids').to.equal(2);
          const text = await turn.reply(['sunny in Paris', 'rainy in Rome'], stream);
          const lines = text.split('\n');
          expect(lines, `reply (stream: ${stream})`).to.have.length(2);
          expectToolReply(client, lines[0]!, 'sunny in Paris');
          expectToolReply(client, lines[1]!, 'rainy in Rome');
        }
      });
    }
  });

  // Known source bugs, reported to the lead; each cell stays and fails honestly once un-skipped.
  const KNOWN_BUGS: Record<string, string> = {
  };

  for (const stream of [false, true]) {
    describe(`(e) reasoning signature kept across turns, ${stream ? 'streamed' : 'JSON'} (upstream verifies it; an edited one is refused)`, () => {
      const carrying = PAIRS.filter((p) => p.client !== 'openai.chat' && p.upstream !== 'openai.chat');
      for (const { client, upstream, label } of carrying) {
        const bug = KNOWN_BUGS[`${stream ? 'streamed' : 'JSON'} ${client} → ${upstream}`];
        (bug ? it.skip : it)(bug ? `${label} — SKIPPED, source bug: ${bug}` : label, async () => {
          const first = await clients[client].think(modelFor(upstream), `[[think]] plan it (stream: ${stream})`, stream);
          expect(first.reasoning, 'signed reasoning block').to.not.equal(undefined);
          expect(first.reasoning!.text).to.match(/^Loopback reasoning\./);
          // A signature crossing families reaches the client tagged with its origin, so it is only ever
          // sent back to the family that can verify it (plugins/translator/signatures.ts).
          const [from, to] = [upstream.split('.')[0], client.split('.')[0]];
          const tag = from === to ? '' : `sluice1\\.${from}\\.`;
          expect(first.reasoning!.signature, 'signature').to.match(new RegExp(`^${tag}[A-Za-z0-9+/]{43}=$`));
          // The upstream loopback answers 400 when a carried signature does not verify.
          expect(await first.next(false, stream)).to.equal('Loopback reply. You said: thanks, and now?');
          let status: number | undefined;
          try { await first.next(true, false); } catch (err) { status = errorStatus(err); }
          expect(status, 'edited reasoning must reach the upstream and be refused').to.equal(400);
        });
      }
    });
  }
});
