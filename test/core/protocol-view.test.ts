// The protocol view: reading and rewriting every request shape, and delta transforms with
// hold-back over JSON responses and streams of every protocol.
import { expect } from 'chai';
import { createRequestView, createResponseView, transformResponseBody, transformStream, type Channel, type DeltaTransform } from '../../core/protocols/view/index.js';
import { parseProtocolName, type JsonObject, type ProtocolName, type StreamEvent } from '../../core/protocols/types.js';

const p = (name: ProtocolName) => parseProtocolName(name);

/** Replaces NEEDLE with [N] even when it is split across deltas, holding back only a partial match. */
function needleReplacer(needle = 'NEEDLE', replacement = '[N]'): DeltaTransform & { seen: Channel[] } {
  const pending = new Map<string, string>();
  const seen: Channel[] = [];
  return {
    seen,
    delta(ch, text) {
      if (!seen.some((c) => c.key === ch.key)) seen.push(ch);
      let buf = (pending.get(ch.key) ?? '') + text;
      buf = buf.split(needle).join(replacement);
      // Hold back the longest suffix that is a prefix of the needle.
      let hold = 0;
      for (let k = Math.min(needle.length - 1, buf.length); k > 0; k--) if (needle.startsWith(buf.slice(-k))) { hold = k; break; }
      pending.set(ch.key, buf.slice(buf.length - hold));
      return buf.slice(0, buf.length - hold);
    },
    end(ch) {
      const rest = pending.get(ch.key) ?? '';
      pending.delete(ch.key);
      return rest;
    },
  };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}
async function* from(events: StreamEvent[]): AsyncGenerator<StreamEvent> { for (const ev of events) yield structuredClone(ev); }
const obj = (v: unknown) => v as JsonObject;
/** Walks a JSON value by keys and indexes (negative indexes count from the end). */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  let v = value;
  for (const k of path) {
    if (Array.isArray(v)) v = v[typeof k === 'number' && k < 0 ? v.length + k : (k as number)];
    else v = (v as Record<string, unknown> | undefined)?.[k as string];
  }
  return v;
}

describe('protocol view: requests', () => {
  it('reads a Chat conversation: roles, kinds, tool calls in canonical JSON, results in order', () => {
    const body: JsonObject = {
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:x' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'sh', arguments: '{ "b": 1.0, "a": "ls -la" }' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'file.txt' },
      ],
    };
    const view = createRequestView(p('openai.chat'), body);
    expect(view.segments().map((s) => [s.kind, s.role, s.text])).to.deep.equal([
      ['system', 'system', 'be brief'], ['user', 'user', 'hi'], ['tool_arguments', 'assistant', 'ls -la'], ['tool_result', 'tool', 'file.txt'],
    ]);
    expect(view.toolCalls()).to.have.length(1);
    expect(view.toolCalls()[0]).to.include({ id: 'c1', name: 'sh', arguments: '{"a":"ls -la","b":1}' });
    expect(view.toolResults()[0]).to.include({ callId: 'c1', text: 'file.txt', isError: false });
    expect(view.toolEvents().map((e) => e.type)).to.deep.equal(['call', 'result']);
    expect(view.turns()).to.equal(4);
    expect(view.changed).to.equal(false);
  });

  it('rewrites in place, including a string inside JSON-text arguments, and reports the change once', () => {
    const body: JsonObject = { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"q":"a@b.c"}' } }] }] };
    let changes = 0;
    const view = createRequestView(p('openai.chat'), body, () => changes++);
    const seg = view.segments().find((s) => s.kind === 'tool_arguments')!;
    expect(seg.path).to.deep.equal(['messages', 0, 'tool_calls', 0, 'function', 'arguments', 'q']);
    seg.set('[EMAIL_1]');
    seg.set('[EMAIL_2]');
    expect(JSON.parse(dig(body, 'messages', 0, 'tool_calls', 0, 'function', 'arguments') as string)).to.deep.equal({ q: '[EMAIL_2]' });
    expect(view.changed).to.equal(true);
    expect(changes).to.equal(1);
  });

  it('JSON-text arguments nested deeper than max_json_depth are one text segment, not parsed and walked (QA: 4 MB held the loop ~2 s)', () => {
    const deep = `${'['.repeat(100_000)}"a@b.c"${']'.repeat(100_000)}`;
    const wide = JSON.stringify({ q: 'a@b.c', pad: 'x'.repeat(20_000), list: [[['ok']]] });
    const body: JsonObject = { messages: [{ role: 'assistant', tool_calls: [
      { id: 'c1', function: { name: 'f', arguments: deep } },
      { id: 'c2', function: { name: 'f', arguments: wide } },
    ] }] };
    const args = createRequestView(p('openai.chat'), body).segments().filter((s) => s.kind === 'tool_arguments');
    expect(args[0]!.text, 'the deep one: its whole text').to.equal(deep);
    expect(args[0]!.path).to.deep.equal(['messages', 0, 'tool_calls', 0, 'function', 'arguments']);
    expect(args.slice(1).map((s) => s.text), 'a long but shallow one is still parsed into its strings').to.deep.equal(['a@b.c', 'x'.repeat(20_000), 'ok']);
  });

  it('reads Responses input items: instructions, developer messages, function calls, outputs, custom tools, reasoning', () => {
    const body: JsonObject = {
      instructions: 'sys',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev' }] },
        { role: 'user', content: 'do it' },
        { type: 'reasoning', id: 'r', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'opaque' },
        { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":["ls"]}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
        { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'done' }] },
      ],
    };
    const view = createRequestView(p('openai.responses'), body);
    expect(view.segments().map((s) => s.kind)).to.deep.equal(['system', 'system', 'user', 'reasoning', 'tool_arguments', 'tool_result', 'tool_arguments', 'tool_result']);
    expect(view.toolCalls().map((c) => [c.id, c.name, c.arguments])).to.deep.equal([['call_1', 'shell', '{"cmd":["ls"]}'], ['call_2', 'apply_patch', '*** Begin Patch']]);
    expect(view.toolResults().map((r) => r.text)).to.deep.equal(['a.txt', 'done']);
    view.addNote('note');
    expect(dig(body, 'input', -1)).to.deep.equal({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'note' }] });
    expect(view.segments().at(-1)!.text).to.equal('note');
  });

  it('reads Anthropic messages (system blocks, Claude Code system turn, tool_use input, tool_result blocks, thinking) and notes on the last user turn', () => {
    const body: JsonObject = {
      system: [{ type: 'text', text: 'S' }],
      messages: [
        { role: 'system', content: 'cc-system' },
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls', opts: { all: true } } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: [{ type: 'text', text: 'denied' }] }] },
      ],
    };
    const view = createRequestView(p('anthropic.messages'), body);
    expect(view.segments().map((s) => [s.kind, s.text])).to.deep.equal([
      ['system', 'S'], ['system', 'cc-system'], ['user', 'go'], ['reasoning', 'hmm'], ['tool_arguments', 'ls'], ['tool_result', 'denied'],
    ]);
    expect(view.toolCalls()[0]!.arguments).to.equal('{"command":"ls","opts":{"all":true}}');
    expect(view.toolResults()[0]).to.include({ callId: 'toolu_1', isError: true, text: 'denied' });
    view.segments()[4]!.set('pwd');
    expect(dig(body, 'messages', 2, 'content', 1, 'input')).to.deep.equal({ command: 'pwd', opts: { all: true } });
    view.addNote('careful');
    expect(dig(body, 'messages', 3, 'content', -1)).to.deep.equal({ type: 'text', text: 'careful' });
  });

  it('reads Gemini generate and countTokens bodies, with function calls and responses', () => {
    const generate: JsonObject = {
      systemInstruction: { parts: [{ text: 'sys' }] },
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ text: 'thinking', thought: true }, { functionCall: { name: 'run', args: { cmd: 'ls' } }, thoughtSignature: 'sig' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'run', response: { error: 'nope' } } }] },
      ],
    };
    const view = createRequestView(p('gemini.generate'), generate);
    expect(view.segments().map((s) => [s.kind, s.text])).to.deep.equal([['system', 'sys'], ['user', 'hi'], ['reasoning', 'thinking'], ['tool_arguments', 'ls'], ['tool_result', 'nope']]);
    expect(view.toolResults()[0]).to.include({ name: 'run', isError: true });
    const count = createRequestView(p('gemini.count_tokens'), { generateContentRequest: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] } });
    expect(count.segments().map((s) => s.path)).to.deep.equal([['generateContentRequest', 'contents', 0, 'parts', 0, 'text']]);
  });

  it('reads both embeddings shapes and leaves token-array input alone', () => {
    expect(createRequestView(p('openai.embeddings'), { input: ['a', 'b'] }).segments().map((s) => s.text)).to.deep.equal(['a', 'b']);
    expect(createRequestView(p('openai.embeddings'), { input: [1, 2, 3] }).segments()).to.have.length(0);
    expect(createRequestView(p('gemini.embed'), { requests: [{ content: { parts: [{ text: 'x' }] } }, { content: { parts: [{ text: 'y' }] } }] }).segments().map((s) => s.text)).to.deep.equal(['x', 'y']);
    expect(() => createRequestView(p('openai.embeddings'), { input: 'a' }).addNote('n')).to.throw(/cannot carry a note/);
  });
});

describe('protocol view: the tool history without segments', () => {
  it('lists the turns where the user wrote text, the same whether or not segments were built', () => {
    const body = (): JsonObject => ({
      system: 'be brief',
      messages: [
        { role: 'user', content: 'fix the tests' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'sh', input: { cmd: 'npm test' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }, { type: 'text', text: '<system-reminder>' }] },
        { role: 'assistant', content: 'done' },
        { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
      ],
    });
    const toolsOnly = createRequestView(p('anthropic.messages'), body());
    expect(toolsOnly.userTextTurns()).to.deep.equal([0, 2, 4]);
    const full = createRequestView(p('anthropic.messages'), body());
    full.segments();
    expect(full.userTextTurns()).to.deep.equal([0, 2, 4]);
    expect(toolsOnly.toolEvents().map((e) => e.type)).to.deep.equal(['call', 'result']);
  });

  it("canonicalises a call's arguments and joins a result's text when first read, and keeps them", () => {
    const body: JsonObject = { contents: [
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { b: 2, a: 'x' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'y', z: [1, 2] } } }] },
    ] };
    const view = createRequestView(p('gemini.generate'), body);
    const [call] = view.toolCalls();
    const [result] = view.toolResults();
    expect(call!.arguments).to.equal('{"a":"x","b":2}');
    expect(call!.arguments).to.equal(call!.arguments);
    expect(result!.text).to.equal('{"output":"y","z":[1,2]}');
    expect(JSON.parse(JSON.stringify(view.toolEvents()))).to.deep.include({ type: 'call', name: 'f', arguments: '{"a":"x","b":2}', turn: 0, path: ['contents', 0, 'parts', 0] });
  });
});

describe('protocol view: signatures and declared tools', () => {
  it('finds the signatures of every family with what they sign, read with the tool history', () => {
    const anthropic = createRequestView(p('anthropic.messages'), { messages: [
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'S1' }, { type: 'thinking', thinking: 'bare' }, { type: 'text', text: 'ok' }] },
    ] });
    expect(anthropic.signatures().map((s) => [s.signs, s.value, s.field, s.text, s.path])).to.deep.equal([
      ['reasoning', 'S1', 'signature', 'hmm', ['messages', 0, 'content', 0]],
      ['reasoning', undefined, 'signature', 'bare', ['messages', 0, 'content', 1]],
    ]);
    const responses = createRequestView(p('openai.responses'), { input: [
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'a' }, { type: 'summary_text', text: 'b' }], encrypted_content: 'E' },
    ] });
    expect(responses.signatures()[0]).to.include({ signs: 'reasoning', value: 'E', field: 'encrypted_content', text: 'a\nb', id: 'rs_1', turn: 0 });
    // An open-weight model's reasoning item: raw reasoning_text under `content`, an empty summary.
    const raw = createRequestView(p('openai.responses'), { input: [
      { type: 'reasoning', id: 'rs_2', summary: [], content: [{ type: 'reasoning_text', text: 'step' }], encrypted_content: 'F' },
    ] });
    expect(raw.signatures()[0]).to.include({ signs: 'reasoning', value: 'F', text: 'step', id: 'rs_2' });
    const gemini = createRequestView(p('gemini.generate'), { contents: [{ role: 'model', parts: [
      { text: 'think', thought: true, thoughtSignature: 'T' }, { functionCall: { name: 'f', args: {} }, thoughtSignature: 'C' }, { text: 'x', thoughtSignature: 'X' }, { text: 'unsigned' },
    ] }] });
    expect(gemini.signatures().map((s) => [s.signs, s.value, s.text, s.path.at(-1)])).to.deep.equal([['reasoning', 'T', 'think', 0], ['tool_call', 'C', '', 1], ['text', 'X', '', 2]]);
    const chat = createRequestView(p('openai.chat'), { messages: [{ role: 'assistant', content: 'a', reasoning_details: [
      { type: 'reasoning.text', text: 'r', signature: 'CS' }, { type: 'reasoning.encrypted', data: 'D' }, { type: 'reasoning.summary', summary: 's' },
    ] }] });
    expect(chat.signatures().map((s) => [s.field, s.value, s.text, s.path])).to.deep.equal([
      ['signature', 'CS', 'r', ['messages', 0, 'reasoning_details', 0]], ['data', 'D', '', ['messages', 0, 'reasoning_details', 1]],
    ]);
    // Signatures are not text; the reasoning they sign is (the translator reads it from the same place).
    expect(chat.segments().map((s) => [s.kind, s.text])).to.deep.equal([['reasoning', 'r'], ['reasoning', 's'], ['assistant', 'a']]);
  });

  it('names the function tools each family offers, leaving hosted and server tools out', () => {
    expect(createRequestView(p('openai.chat'), { tools: [{ type: 'function', function: { name: 'a' } }, { type: 'custom', custom: { name: 'b' } }] }).toolNames()).to.deep.equal(['a']);
    expect(createRequestView(p('openai.responses'), { tools: [{ type: 'function', name: 'a' }, { type: 'web_search' }, { type: 'custom', name: 'p' }] }).toolNames()).to.deep.equal(['a']);
    // Codex's newest models declare their tools in an additional_tools input item; a namespace's tools are not called by name alone.
    expect(createRequestView(p('openai.responses'), {
      tools: [{ type: 'function', name: 'a' }],
      input: [{ type: 'additional_tools', role: 'developer', tools: [{ type: 'function', name: 'b' }, { type: 'namespace', name: 'ns', tools: [{ type: 'function', name: 'c' }] }] }, { role: 'user', content: 'x' }],
    }).toolNames()).to.deep.equal(['a', 'b']);
    expect(createRequestView(p('anthropic.messages'), { tools: [{ name: 'a' }, { type: 'custom', name: 'b' }, { type: 'web_search_20250305', name: 'web_search' }] }).toolNames()).to.deep.equal(['a', 'b']);
    expect(createRequestView(p('gemini.count_tokens'), { generateContentRequest: { tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }, { googleSearch: {} }] } }).toolNames()).to.deep.equal(['a', 'b']);
    expect(createRequestView(p('openai.embeddings'), { input: 'x' }).toolNames()).to.deep.equal([]);
  });

  it('reads string leaves at any depth, in document order, and spells their paths only when asked', () => {
    let response: JsonObject = { leaf: 'deep' };
    for (let i = 0; i < 100_000; i++) response = { r: response };
    const view = createRequestView(p('gemini.generate'), { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: { a: 'first', b: response, c: ['last'] } } }] }] });
    const texts = view.segments().map((s) => s.text);
    expect(texts).to.deep.equal(['first', 'deep', 'last']);
    const deep = view.segments()[1]!;
    expect(deep.path).to.have.length(6 + 1 + 100_000 + 1); // …, 'b', 'r' × 100,000, 'leaf'
    expect(deep.path.slice(0, 8)).to.deep.equal(['contents', 0, 'parts', 0, 'functionResponse', 'response', 'b', 'r']);
    deep.set('changed');
    expect(view.segments()[1]!.text).to.equal('changed');
  });
});

describe('protocol view: JSON responses', () => {
  it('transforms every channel of each protocol, tool arguments as JSON text', () => {
    const t = needleReplacer();
    const chat: JsonObject = { choices: [{ index: 0, message: { role: 'assistant', content: 'a NEEDLE', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"x":"NEEDLE"}' } }] } }] };
    transformResponseBody(p('openai.chat'), chat, t);
    expect(JSON.stringify(chat)).to.not.include('NEEDLE');
    const anthropic: JsonObject = { content: [{ type: 'text', text: 'NEEDLE!' }, { type: 'tool_use', id: 't', name: 'f', input: { q: 'NEEDLE' } }] };
    transformResponseBody(p('anthropic.messages'), anthropic, t);
    expect(anthropic['content']).to.deep.equal([{ type: 'text', text: '[N]!' }, { type: 'tool_use', id: 't', name: 'f', input: { q: '[N]' } }]);
    const gemini: JsonObject = { candidates: [{ content: { parts: [{ text: 'NEEDLE' }, { functionCall: { name: 'f', args: { a: 'NEEDLE' } } }] } }] };
    transformResponseBody(p('gemini.generate'), gemini, t);
    expect(JSON.stringify(gemini)).to.not.include('NEEDLE');
    const responses: JsonObject = { output: [{ type: 'message', content: [{ type: 'output_text', text: 'x NEEDLE' }] }, { type: 'function_call', name: 'f', call_id: 'c', arguments: '{"a":"NEEDLE"}' }] };
    transformResponseBody(p('openai.responses'), responses, t);
    expect(JSON.stringify(responses)).to.not.include('NEEDLE');
  });

  it('lists tool calls and rewrites segments of a response', () => {
    const body: JsonObject = { content: [{ type: 'text', text: 'hi' }, { type: 'tool_use', id: 't', name: 'f', input: { b: 2, a: 'v' } }] };
    const view = createResponseView(p('anthropic.messages'), body);
    expect(view.toolCalls()[0]).to.include({ id: 't', name: 'f', arguments: '{"a":"v","b":2}' });
    view.segments().find((s) => s.kind === 'tool_arguments')!.set('w');
    expect(dig(body, 'content', 1, 'input')).to.deep.equal({ b: 2, a: 'w' });
    expect(view.changed).to.equal(true);
  });
});

describe('protocol view: stream transforms with hold-back', () => {
  it('Chat: text split across chunks, tool arguments; held text flushed before the next kind, the rest into the finishing chunk', async () => {
    const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({ data: { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] } });
    const events = [
      chunk({ role: 'assistant', content: '' }), chunk({ content: 'say NEE' }), chunk({ content: 'DLE and NEED' }),
      chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{"q":"NE' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'EDLE"}' } }] }),
      chunk({}, 'tool_calls'),
    ];
    const out = await collect(transformStream(p('openai.chat'), from(events), needleReplacer()));
    let text = '';
    let args = '';
    for (const ev of out) {
      const d = dig(ev.data, 'choices', 0, 'delta') as JsonObject;
      if (typeof d['content'] === 'string') text += d['content'];
      for (const tc of (d['tool_calls'] as JsonObject[] | undefined) ?? []) args += dig(tc, 'function', 'arguments') as string;
    }
    expect(text).to.equal('say [N] and NEED');
    expect(args).to.equal('{"q":"[N]"}');
    // The held "NEED" goes out in a chunk of its own before the call starts (QA: it came after the
    // call, in the finishing chunk).
    const kinds = out.map((ev) => Object.keys(dig(ev.data, 'choices', 0, 'delta') as JsonObject).filter((k) => k !== 'role').join('+'));
    expect(kinds).to.deep.equal(['content', 'content', 'content', 'content', 'tool_calls', 'tool_calls', '']);
    expect(dig(out[3]!.data, 'choices', 0, 'delta', 'content')).to.equal('NEED');
    expect(dig(out.at(-1)!.data, 'choices', 0, 'finish_reason')).to.equal('tool_calls');
  });

  it('Chat: held reasoning goes out before its signature (reasoning_details), text and each call stay in order', async () => {
    const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({ data: { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] } });
    const out = await collect(transformStream(p('openai.chat'), from([
      chunk({ reasoning_content: 'think NEE' }),
      chunk({ reasoning_details: [{ type: 'reasoning.text', signature: 'sig', index: 0 }] }),
      chunk({ content: 'answer NEE' }),
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"q":"NEE' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]), needleReplacer()));
    const seq = out.map((ev) => {
      const d = dig(ev.data, 'choices', 0, 'delta') as JsonObject;
      const call = (d['tool_calls'] as JsonObject[] | undefined)?.[0];
      return Object.keys(d).map((k) => (k === 'tool_calls' ? `call${call!['index'] as number}` : k)).join('+');
    }).filter((k) => k);
    expect(seq).to.deep.equal(['reasoning_content', 'reasoning_content', 'reasoning_details', 'content', 'content', 'call0', 'call0', 'call1']);
    expect(dig(out[1]!.data, 'choices', 0, 'delta', 'reasoning_content')).to.equal('NEE');
  });

  it('Chat: a reused tool index with a new id is a new channel', async () => {
    const chunk = (tc: JsonObject): StreamEvent => ({ data: { id: 'x', choices: [{ index: 0, delta: { tool_calls: [tc] }, finish_reason: null }] } });
    const t = needleReplacer();
    await collect(transformStream(p('openai.chat'), from([
      chunk({ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }),
      chunk({ index: 0, id: 'b', function: { name: 'g', arguments: '{}' } }),
    ]), t));
    expect(t.seen.map((c) => [c.key, c.toolName])).to.deep.equal([['0:tool:0', 'f'], ['0:tool:0#1', 'g']]);
  });

  it('Anthropic: held text goes out as one more delta just before content_block_stop', async () => {
    const events: StreamEvent[] = [
      { event: 'message_start', data: { type: 'message_start', message: { id: 'm', content: [] } } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x NEE' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'DLE NE' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":"NEEDLE"}' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ];
    const out = await collect(transformStream(p('anthropic.messages'), from(events), needleReplacer()));
    expect(out.map((e) => e.event)).to.deep.equal(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_stop']);
    const text = out.filter((e) => dig(e.data, 'delta', 'type') === 'text_delta').map((e) => dig(e.data, 'delta', 'text')).join('');
    expect(text).to.equal('x [N] NE');
    expect(dig(out[7]!.data, 'delta', 'partial_json')).to.equal('{"a":"[N]"}');
  });

  it('Anthropic: held thinking goes out before its signature_delta, not after it', async () => {
    const d = (index: number, delta: JsonObject): StreamEvent => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
    const out = await collect(transformStream(p('anthropic.messages'), from([
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } } },
      d(0, { type: 'thinking_delta', thinking: 'hmm NEE' }),
      d(0, { type: 'signature_delta', signature: 'sig' }),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    ]), needleReplacer()));
    expect(out.map((e) => dig(e.data, 'delta', 'type') ?? obj(e.data)['type'])).to.deep.equal(['content_block_start', 'thinking_delta', 'thinking_delta', 'signature_delta', 'content_block_stop']);
    expect(dig(out[2]!.data, 'delta', 'thinking')).to.equal('NEE');
  });

  it('Responses: flush before .done, full-text events rewritten, sequence numbers stay consecutive', async () => {
    let seq = 0;
    const e = (data: JsonObject): StreamEvent => ({ event: data['type'] as string, data: { ...data, sequence_number: seq++ } });
    const events = [
      e({ type: 'response.created', response: { id: 'r', output: [] } }),
      e({ type: 'response.output_item.added', output_index: 0, item: { id: 'msg', type: 'message', content: [] } }),
      e({ type: 'response.output_text.delta', item_id: 'msg', output_index: 0, content_index: 0, delta: 'a NEEDLE b NEE' }),
      e({ type: 'response.output_text.done', item_id: 'msg', output_index: 0, content_index: 0, text: 'a NEEDLE b NEE' }),
      e({ type: 'response.content_part.done', item_id: 'msg', output_index: 0, content_index: 0, part: { type: 'output_text', text: 'a NEEDLE b NEE' } }),
      e({ type: 'response.output_item.done', output_index: 0, item: { id: 'msg', type: 'message', content: [{ type: 'output_text', text: 'a NEEDLE b NEE' }] } }),
      e({ type: 'response.completed', response: { id: 'r', output: [{ id: 'msg', type: 'message', content: [{ type: 'output_text', text: 'a NEEDLE b NEE' }] }] } }),
    ];
    const out = await collect(transformStream(p('openai.responses'), from(events), needleReplacer()));
    expect(out.map((ev) => obj(ev.data)['sequence_number'])).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    const deltas = out.filter((ev) => obj(ev.data)['type'] === 'response.output_text.delta').map((ev) => obj(ev.data)['delta']);
    expect(deltas).to.deep.equal(['a [N] b ', 'NEE']);
    expect(JSON.stringify(out.slice(4))).to.not.include('NEEDLE');
    expect(obj(out[4]!.data)['text']).to.equal('a [N] b NEE');
  });

  it('Responses: a refusal is text too — its deltas, its .done, its content part and item rewritten in `refusal`', async () => {
    const e = (data: JsonObject): StreamEvent => ({ event: data['type'] as string, data });
    const part = { type: 'refusal', refusal: 'no NEEDLE' };
    const out = await collect(transformStream(p('openai.responses'), from([
      e({ type: 'response.refusal.delta', item_id: 'msg', output_index: 0, content_index: 0, delta: 'no NEEDLE' }),
      e({ type: 'response.refusal.done', item_id: 'msg', output_index: 0, content_index: 0, refusal: 'no NEEDLE' }),
      e({ type: 'response.content_part.done', item_id: 'msg', output_index: 0, content_index: 0, part: { ...part } }),
      e({ type: 'response.output_item.done', output_index: 0, item: { id: 'msg', type: 'message', content: [{ ...part }] } }),
    ]), needleReplacer()));
    expect(JSON.stringify(out)).to.not.include('NEEDLE');
    expect(obj(out[1]!.data)['refusal']).to.equal('no [N]');
    expect(dig(out[2]!.data, 'part')).to.deep.equal({ type: 'refusal', refusal: 'no [N]' });
    expect(dig(out[3]!.data, 'item', 'content', 0)).to.deep.equal({ type: 'refusal', refusal: 'no [N]' });
  });

  it('Gemini: text across chunks, whole function-call args, held text on the finishing chunk', async () => {
    const chunk = (parts: JsonObject[], finish?: string): StreamEvent => ({ data: { candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }] } });
    const out = await collect(transformStream(p('gemini.generate'), from([
      chunk([{ text: 'one NEE' }]), chunk([{ text: 'DLE two NEED' }]), chunk([{ functionCall: { name: 'f', args: { q: 'NEEDLE' } } }], 'STOP'),
    ]), needleReplacer()));
    const parts = out.flatMap((ev) => dig(ev.data, 'candidates', 0, 'content', 'parts') as JsonObject[]);
    expect(parts.map((x) => x['text'] ?? '').join('')).to.equal('one [N] two NEED');
    expect(parts.find((x) => x['functionCall'])!['functionCall']).to.deep.equal({ name: 'f', args: { q: '[N]' } });
  });

  it('Gemini: a signed thought keeps its whole text; held text goes before the next part of another kind, never after it', async () => {
    const chunk = (parts: JsonObject[], finish?: string): StreamEvent => ({ data: { candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }] } });
    const out = await collect(transformStream(p('gemini.generate'), from([
      // The loopback's and Gemini's shape: one signed thought, then the call.
      chunk([{ text: 'plan NEE', thought: true, thoughtSignature: 's1' }]),
      chunk([{ functionCall: { name: 'f', args: {} } }]),
      // A translated stream's shape: thought pieces, then an empty signed part, then text.
      chunk([{ text: 'more NEE', thought: true }]),
      chunk([{ text: '', thought: true, thoughtSignature: 's2' }]),
      chunk([{ text: 'answer NEE' }], 'STOP'),
    ]), needleReplacer()));
    const parts = out.flatMap((ev) => dig(ev.data, 'candidates', 0, 'content', 'parts') as JsonObject[]);
    expect(parts).to.deep.equal([
      { text: 'plan NEE', thought: true, thoughtSignature: 's1' },
      { functionCall: { name: 'f', args: {} } },
      { text: 'more ', thought: true },
      { text: 'NEE', thought: true },
      { text: '', thought: true, thoughtSignature: 's2' },
      { text: 'answer ' },
      { text: 'NEE' },
    ]);
  });

  it('a stream that ends with text still held flushes it', async () => {
    const out = await collect(transformStream(p('openai.chat'), from([{ data: { id: 'x', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'abc NEE' }, finish_reason: null }] } }]), needleReplacer()));
    expect(out).to.have.length(2);
    expect(dig(out[1]!.data, 'choices', 0, 'delta', 'content')).to.equal('NEE');
  });
});
