// `use: dedupe` in the chain: a note in the protocol's own form at warn_at, a final answer (or a
// 4xx) at block_at instead of the upstream call, findings either way; monitor changes nothing.
// The official SDKs judge the replies through a running gateway.
import { expect } from 'chai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { JsonValue } from '../../../core/index.js';
import { runPlugin } from '../../../core/testing/index.js';
import dedupe from '../../../plugins/dedupe/index.js';
import { config, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { buildRequest, CLIENTS, shellCall, shellOutput, type ClientName, type Script, type ScriptCall, type ToolStep } from './clients.js';

const PATHS: Record<ClientName, string> = {
  'claude-code': '/v1/messages',
  codex: '/v1/responses',
  'gemini-cli': '/v1beta/models/gemini-2.5-pro:generateContent',
  'openai-chat': '/v1/chat/completions',
};

/** The agent ran the same command `times` times and got the same output each time. */
function loop(client: ClientName, times: number): Script {
  return {
    prompt: 'Why does the build fail?',
    steps: Array.from({ length: times }, () => ({ calls: [shellCall(client, 'npm run build')], results: [shellOutput(client, 'error TS2304: Cannot find name x')] })),
  };
}

const ANSWER: Record<ClientName, Record<string, unknown>> = {
  'claude-code': { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
  codex: { id: 'resp_1', object: 'response', status: 'completed', model: 'm', output: [], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } },
  'gemini-cli': { candidates: [{ index: 0, finishReason: 'STOP', content: { role: 'model', parts: [{ text: 'ok' }] } }] },
  'openai-chat': { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] },
};

/** The text deltas of a stream in any protocol, joined. */
function streamedText(events: readonly { data: unknown }[]): string {
  let out = '';
  for (const { data } of events) {
    const d = data as { type?: string; delta?: unknown; choices?: { delta?: { content?: unknown } }[] };
    if (d.type === 'content_block_delta') out += (d.delta as { text?: string }).text ?? '';
    else if (d.type === 'response.output_text.delta') out += String(d.delta);
    else if (typeof d.choices?.[0]?.delta?.content === 'string') out += d.choices[0].delta.content;
  }
  return out;
}

describe('dedupe in the chain (runPlugin)', () => {
  for (const client of CLIENTS) {
    describe(client, () => {
      const run = (times: number, options: Record<string, unknown> = {}) => runPlugin(dedupe, {
        options, path: PATHS[client], body: buildRequest(client, loop(client, times)).body, upstream: { json: ANSWER[client] as never },
      });

      it('below warn_at: nothing found, the client bytes go upstream unchanged', async () => {
        const r = await run(2);
        expect(r.exchange.findings).to.deep.equal([]);
        expect(r.upstreamRequests[0]!.bytes, 'original bytes').to.not.equal(undefined);
      });

      it('at warn_at: the upstream gets a note in the protocol\'s form; recorded as noted', async () => {
        const r = await run(3);
        expect(r.status).to.equal(200);
        expect(r.exchange.findings[0]).to.include({ source: 'dedupe', type: 'REPEATED_TOOL_CALL', count: 3, action: 'noted' });
        const sent = JSON.stringify(r.upstreamRequests[0]!.body);
        expect(sent).to.include('[Sluice loop detector] Note');
        expect(r.upstreamRequests[0]!.bytes).to.equal(undefined);
      });

      it('at block_at: answered without the upstream, recorded as blocked', async () => {
        const r = await run(5);
        expect(r.upstreamRequests).to.have.length(0);
        expect(r.completion.outcome).to.equal('blocked');
        expect(r.exchange.findings[0]).to.include({ type: 'REPEATED_TOOL_CALL', count: 5, action: 'blocked' });
        // Claude Code and Codex stream: the reply is rendered as a stream for them.
        expect(r.json ? JSON.stringify(r.json) : streamedText(r.events ?? [])).to.include("Stopped by Sluice's loop detector");
      });

      it('block_with: error gives a 400 SLUICE_E_LOOP_DETECTED in the client\'s envelope', async () => {
        const r = await run(5, { block_with: 'error' });
        expect(r.status).to.equal(400);
        expect(r.upstreamRequests).to.have.length(0);
        expect(r.completion.outcome).to.equal('blocked');
        expect(JSON.stringify(r.json)).to.include("loop detector");
      });

      it('monitor: records and changes nothing', async () => {
        const r = await run(6, { mode: 'monitor' });
        expect(r.upstreamRequests).to.have.length(1);
        expect(r.upstreamRequests[0]!.bytes).to.not.equal(undefined);
        expect(r.exchange.findings[0]).to.include({ type: 'REPEATED_TOOL_CALL', count: 6, action: 'recorded' });
      });

      describe('exempt_tools: a poll the user expects to repeat', () => {
        const poll: ScriptCall = { name: 'job_status', args: { job: '42' } };
        const sleep: ScriptCall = { name: 'sleep', args: { seconds: 30 } };
        const polling = (steps: ToolStep[]) => runPlugin(dedupe, {
          options: { exempt_tools: ['job_*', 'sleep'] }, path: PATHS[client],
          body: buildRequest(client, { prompt: 'Wait for job 42', steps }).body, upstream: { json: ANSWER[client] as never },
        });

        it('the same status poll six times, and sleep/status cycles, reach the upstream with no finding', async () => {
          const repeated = await polling(Array.from({ length: 6 }, () => ({ calls: [poll], results: [{ output: 'running' }] })));
          expect(repeated.exchange.findings).to.deep.equal([]);
          expect(repeated.upstreamRequests).to.have.length(1);
          const cycle = await polling(Array.from({ length: 12 }, (_, i) => (i % 2 ? { calls: [poll], results: [{ output: 'running' }] } : { calls: [sleep], results: [{ output: '' }] })));
          expect(cycle.exchange.findings).to.deep.equal([]);
          expect(cycle.upstreamRequests).to.have.length(1);
        });

        it('other tools still loop, and an exempt tool failing the same way every time is still a streak', async () => {
          const other = await polling(Array.from({ length: 5 }, () => ({ calls: [shellCall(client, 'npm run build')], results: [shellOutput(client, 'error TS2304')] })));
          expect(other.upstreamRequests).to.have.length(0);
          expect(other.exchange.findings[0]).to.include({ type: 'REPEATED_TOOL_CALL', count: 5, action: 'blocked' });
          const failing = await polling(Array.from({ length: 6 }, (_, i) => ({ calls: [{ name: 'job_status', args: { job: String(i) } }], results: [{ output: 'Error: job service unreachable', error: true }] })));
          expect(failing.upstreamRequests).to.have.length(0);
          expect(failing.exchange.findings[0]).to.include({ type: 'TOOL_FAILURE_STREAK', count: 6, action: 'blocked' });
        });
      });
    });
  }

  it('Codex\'s JSON shell tool: the same failing build, each result with its own duration_seconds, is stopped at block_at', async () => {
    const steps = Array.from({ length: 5 }, (_, i) => ({
      calls: [{ name: 'shell', args: { command: ['bash', '-lc', 'cargo build'], workdir: '/w', timeout_ms: 120000 } }],
      results: [{ output: JSON.stringify({ output: 'error[E0425]: cannot find value `x` in this scope\n', metadata: { exit_code: 101, duration_seconds: 3.1 + i / 10 } }) }],
    }));
    const r = await runPlugin(dedupe, { path: PATHS.codex, body: buildRequest('codex', { prompt: 'Fix the build', steps }).body, upstream: { json: ANSWER.codex as never } });
    expect(r.upstreamRequests).to.have.length(0);
    expect(r.exchange.findings[0]).to.include({ type: 'REPEATED_TOOL_CALL', count: 5, action: 'blocked' });
  });

  it('a screenshot tool answering the same caption with a new image each time is no loop; the same image five times is', async () => {
    const png = (n: number) => Buffer.from(`frame ${n}`).toString('base64');
    const anthropic = (image: (i: number) => string) => {
      const messages: JsonValue[] = [{ role: 'user', content: 'Wait until the page shows Done' }];
      for (let i = 0; i < 5; i++) {
        messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'browser_take_screenshot', input: {} }] });
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: [{ type: 'text', text: 'Took the viewport screenshot.' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image(i) } }] }] });
      }
      return { model: 'm', max_tokens: 100, messages, tools: [{ name: 'browser_take_screenshot', input_schema: { type: 'object' } }] };
    };
    const responses = (image: (i: number) => string) => {
      const input: JsonValue[] = [{ role: 'user', content: [{ type: 'input_text', text: 'Wait until the page shows Done' }] }];
      for (let i = 0; i < 5; i++) {
        input.push({ type: 'function_call', call_id: `c${i}`, name: 'browser_take_screenshot', arguments: '{}' });
        input.push({ type: 'function_call_output', call_id: `c${i}`, output: [{ type: 'input_text', text: 'Took the viewport screenshot.' }, { type: 'input_image', image_url: `data:image/png;base64,${image(i)}` }] });
      }
      return { model: 'm', input, tools: [{ type: 'function', name: 'browser_take_screenshot', parameters: { type: 'object' } }] };
    };
    for (const [path, body, answer] of [['/v1/messages', anthropic, ANSWER['claude-code']], ['/v1/responses', responses, ANSWER.codex]] as const) {
      const moving = await runPlugin(dedupe, { path, body: body(png), upstream: { json: answer as never } });
      expect(moving.exchange.findings, path).to.deep.equal([]);
      expect(moving.upstreamRequests, path).to.have.length(1);
      const frozen = await runPlugin(dedupe, { path, body: body(() => png(0)), upstream: { json: answer as never } });
      expect(frozen.upstreamRequests, path).to.have.length(0);
      expect(frozen.exchange.findings[0], path).to.include({ type: 'REPEATED_TOOL_CALL', count: 5, action: 'blocked' });
    }
  });

  it('inspect_response records a new call that would reach block_at, without changing the answer', async () => {
    const client: ClientName = 'openai-chat';
    const call = shellCall(client, 'npm run build');
    const answer = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_new', type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] } }] };
    const r = await runPlugin(dedupe, {
      options: { mode: 'monitor', inspect_response: true }, path: PATHS[client], body: buildRequest(client, loop(client, 4)).body, upstream: { json: answer },
    });
    expect(r.exchange.findings.map((f) => [f.type, f.count, f.action, f.direction])).to.deep.include(['REPEATED_TOOL_CALL', 5, 'recorded', 'response']);
    expect(r.json).to.deep.equal(answer);
  });
});

describe('dedupe inspect_response over streams', () => {
  // A tool without parameters: Anthropic-compatible streams may open the tool_use block with
  // `input: {}` and close it without a single input_json_delta. The call is still the model's
  // next call, and the fifth in a row.
  const ev = (event: string, data: Record<string, unknown>) => ({ event, data: data as never });
  const history = () => {
    const messages: JsonValue[] = [{ role: 'user', content: 'list the files' }];
    for (let i = 0; i < 4; i++) {
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'ls', input: {} }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: 'a.txt b.txt' }] });
    }
    return { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages } as never;
  };
  const stream = (deltas: string[]) => [
    ev('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
    ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_new', name: 'ls', input: {} } }),
    ...deltas.map((partial_json) => ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } })),
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } }),
    ev('message_stop', { type: 'message_stop' }),
  ];

  for (const [what, deltas] of [['with an empty input_json_delta', ['']], ['with no input_json_delta at all', []]] as const) {
    it(`records the model's next call ${what}`, async () => {
      const r = await runPlugin(dedupe, { options: { mode: 'monitor', inspect_response: true }, path: '/v1/messages', body: history(), upstream: { events: stream([...deltas]) } });
      expect(r.events?.length, 'the stream reached the client').to.be.greaterThan(0);
      expect(r.exchange.findings.map((f) => [f.type, f.count, f.action, f.direction])).to.deep.include(['REPEATED_TOOL_CALL', 5, 'recorded', 'response']);
    });
  }
});

describe('dedupe inspect_response over a Codex apply_patch stream', () => {
  // apply_patch is a freeform (custom) tool: its input is the patch text, which ends in a newline.
  // The model applying the same failing patch a fifth time is the loop inspect_response is for.
  const PATCH = '*** Begin Patch\n*** Update File: a.txt\n@@\n-old\n+new\n*** End Patch\n';
  const input: JsonValue[] = [{ role: 'user', content: 'fix a.txt' }];
  for (let i = 0; i < 4; i++) {
    input.push({ type: 'custom_tool_call', call_id: `call_${i}`, name: 'apply_patch', input: PATCH });
    input.push({ type: 'custom_tool_call_output', call_id: `call_${i}`, output: 'apply_patch verification failed: Failed to find expected lines in a.txt' });
  }
  const item = { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_new', name: 'apply_patch', input: '', status: 'in_progress' };
  const done = { ...item, input: PATCH, status: 'completed' };
  const ev = (data: Record<string, unknown>) => ({ event: data['type'] as string, data: data as never });
  const events = [
    ev({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } }),
    ev({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item }),
    ev({ type: 'response.custom_tool_call_input.delta', sequence_number: 2, output_index: 0, item_id: 'ctc_1', delta: PATCH }),
    ev({ type: 'response.custom_tool_call_input.done', sequence_number: 3, output_index: 0, item_id: 'ctc_1', input: PATCH }),
    ev({ type: 'response.output_item.done', sequence_number: 4, output_index: 0, item: done }),
    ev({ type: 'response.completed', sequence_number: 5, response: { id: 'resp_1', object: 'response', status: 'completed', output: [done], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } }),
  ];

  it('records the fifth identical patch, streamed as in JSON', async () => {
    const r = await runPlugin(dedupe, { options: { mode: 'monitor', inspect_response: true }, path: '/v1/responses', body: { model: 'gpt-5', stream: true, input } as never, upstream: { events } });
    expect(r.exchange.findings.map((f) => [f.type, f.count, f.action, f.direction])).to.deep.include(['REPEATED_TOOL_CALL', 5, 'recorded', 'response']);
  });
});

describe('dedupe in the chain: the SDKs read the final message and the error', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(config({ chain: '  - use: dedupe\n  - use: router\n    with: { default: local }' }));
  });
  after(() => gw.close());

  it('OpenAI Chat, JSON and stream', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x' });
    const body = buildRequest('openai-chat', loop('openai-chat', 5)).body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
    const json = await client.chat.completions.create(body);
    expect(json.choices[0]!.message.content).to.include("Stopped by Sluice's loop detector");
    expect(json.choices[0]!.finish_reason).to.equal('stop');
    const stream = client.chat.completions.stream({ ...body, stream: true });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).to.include("Stopped by Sluice's loop detector");
  });

  it('Anthropic Messages, JSON and stream (Claude Code\'s shape)', async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'x' });
    const body = { ...buildRequest('claude-code', loop('claude-code', 5)).body, model: 'claude-sonnet-4-5', max_tokens: 100, stream: false } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const json = await client.messages.create(body);
    expect(json.stop_reason).to.equal('end_turn');
    expect(JSON.stringify(json.content)).to.include("Stopped by Sluice's loop detector");
    const { stream: _json, ...streamed } = body;
    const final = await client.messages.stream(streamed).finalMessage();
    expect(JSON.stringify(final.content)).to.include("Stopped by Sluice's loop detector");
  });

  it('OpenAI Responses (Codex\'s shape), stream', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x' });
    const body = { ...buildRequest('codex', loop('codex', 5)).body, model: 'gpt-5' } as unknown as OpenAI.Responses.ResponseCreateParamsStreaming;
    const final = await client.responses.stream(body).finalResponse();
    expect(final.output_text).to.include("Stopped by Sluice's loop detector");
  });

  it('Gemini (Gemini CLI\'s shape), JSON', async () => {
    const ai = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url } });
    const body = buildRequest('gemini-cli', loop('gemini-cli', 5)).body as { contents: never };
    const res = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: body.contents });
    expect(res.text).to.include("Stopped by Sluice's loop detector");
  });

  it('a loop is logged as blocked with its finding; a conversation with different results is not touched', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x' });
    const varied: Script = { prompt: 'p', steps: Array.from({ length: 6 }, (_, i) => ({ calls: [shellCall('openai-chat', 'npm test')], results: [shellOutput('openai-chat', `${i} tests failed`)] })) };
    const ok = await client.chat.completions.create(buildRequest('openai-chat', varied).body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(ok.choices[0]!.message.content).to.not.include('loop detector');
    await new Promise((r) => setTimeout(r, 300));
    const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request' && l['outcome'] === 'blocked');
    expect(lines.length).to.be.greaterThan(0);
    expect(String(lines[0]!['findings'])).to.include('REPEATED_TOOL_CALL=5:blocked');
  });
});
