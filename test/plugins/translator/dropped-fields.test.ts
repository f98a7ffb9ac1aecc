// Every field a translation drops is named by its path (SPEC §4: mapped or dropped on purpose, never
// silently), nested ones included; the list is bounded and holds no values. And the request shapes
// that decide what counts as dropped do not go stale: each key a shape says its decoder reads, the
// decoder reads.
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { JsonObject, JsonValue } from '../../../core/index.js';
import { droppedFields, LISTED_DROPS, type Shape } from '../../../plugins/translator/dropped-fields.js';
import { anthropicMessages } from '../../../plugins/translator/protocols/anthropic/index.js';
import { ANTHROPIC_REQUEST_SHAPE } from '../../../plugins/translator/protocols/anthropic/request-shape.js';
import { openaiChat } from '../../../plugins/translator/protocols/chat/index.js';
import { CHAT_REQUEST_SHAPE } from '../../../plugins/translator/protocols/chat/request-shape.js';
import { geminiGenerate } from '../../../plugins/translator/protocols/gemini/index.js';
import { GEMINI_REQUEST_SHAPE } from '../../../plugins/translator/protocols/gemini/request-shape.js';
import { openaiResponses } from '../../../plugins/translator/protocols/responses/index.js';
import { RESPONSES_REQUEST_SHAPE } from '../../../plugins/translator/protocols/responses/request-shape.js';
import type { ProtocolCodec } from '../../../plugins/translator/codec.js';

/** Requests with unknown keys at every level the decoders visit (the QA's, and more). */
const CHAT: JsonObject = {
  model: 'm', seed: 1, n: 1, max_completion_tokens: 9, temperature: 0.5, top_p: 0.9, stop: ['x'], user: 'u', reasoning_effort: 'low', parallel_tool_calls: true,
  messages: [
    { role: 'system', content: 'sys', sys_x: 1 },
    { role: 'user', content: [{ type: 'text', text: 'hi', part_x: 1 }, { type: 'image_url', image_url: { url: 'https://e.x/a.png', detail: 'high', img_x: 1 } }], name: 'bob', x_msg_unknown: 1 },
    {
      role: 'assistant', content: null, reasoning_content: 'r', reasoning_details: [{ type: 'reasoning.text', text: 'r', signature: 's', index: 0 }],
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}', fn_x: 1 }, call_x: 1 }], audio: { id: 'a1' },
    },
    { role: 'tool', tool_call_id: 'c1', content: 'ok', tool_x: 1 },
  ],
  tools: [{ type: 'function', function: { name: 'f', description: 'd', strict: true, parameters: { type: 'object', anything: 1 }, fn_x: 1 }, tool_x: 1 }, { type: 'web_search' }],
  tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } },
  response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' }, strict: true, description: 'd', rf_x: 1 } },
  stream_options: { include_usage: false, so_x: 1 },
};
const CHAT_DROPPED = [
  'messages[0].sys_x', 'messages[1].content[0].part_x', 'messages[1].content[1].image_url.img_x', 'messages[1].name',
  'messages[1].x_msg_unknown', 'messages[2].tool_calls[0].function.fn_x', 'messages[2].tool_calls[0].call_x', 'messages[2].audio',
  'messages[3].tool_x', 'tools[0].function.fn_x', 'tools[0].tool_x', 'tools[1](web_search)', 'tool_choice(allowed_tools)',
  'response_format.json_schema.description', 'response_format.json_schema.rf_x', 'stream_options.so_x',
];

const RESPONSES: JsonObject = {
  model: 'm', instructions: 'sys', store: false, max_output_tokens: 9, temperature: 0.5, top_p: 0.9, user: 'u', parallel_tool_calls: false,
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi', part_x: 1 }, { type: 'input_image', image_url: 'https://e.x/a.png', detail: 'low', img_x: 1 }], item_x: 1 },
    // A replayed output item: its id and status are OpenAI's own record, set aside without a word.
    { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'yo', annotations: [] }] },
    { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '{}', fc_x: 1 },
    { type: 'function_call_output', call_id: 'c1', output: 'ok', out_x: 1 },
    { type: 'item_reference', id: 'x' },
  ],
  tools: [{ type: 'function', name: 'f', description: 'd', strict: true, parameters: { type: 'object' }, tool_x: 1 }, { type: 'web_search' }],
  reasoning: { effort: 'low', summary: 'auto', r_x: 1 },
  text: { format: { type: 'text', f_x: 1 }, verbosity: 'low' },
};
const RESPONSES_DROPPED = [
  'store', 'input[0].content[0].part_x', 'input[0].content[1].img_x', 'input[0].item_x', 'input[2].fc_x', 'input[3].out_x',
  'input[4](item_reference)', 'tools[0].tool_x', 'tools[1](web_search)', 'reasoning.r_x', 'text.format.f_x',
];

const ANTHROPIC: JsonObject = {
  model: 'm', max_tokens: 50, temperature: 1, top_p: 0.99, top_k: 5, stop_sequences: ['x'],
  system: [{ type: 'text', text: 'sys', sys_x: 1 }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi', part_x: 1 }, { type: 'image', source: { type: 'url', url: 'https://e.x/a.png', src_x: 1 } }] },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's', th_x: 1 }, { type: 'tool_use', id: 't1', name: 'f', input: { any: 1 }, cache_control: { type: 'ephemeral' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok', tr_x: 1 }, { type: 'document', source: {} }] }], m_x: 1 },
  ],
  tools: [{ name: 'f', description: 'd', strict: true, input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' }, tool_x: 1 }, { type: 'web_search_20250305', name: 'web_search' }],
  tool_choice: { type: 'auto', tc_x: 1 },
  thinking: { type: 'enabled', budget_tokens: 2000, display: 'summarized', th_x: 1 },
  output_config: { effort: 'high', format: { type: 'json_schema', schema: { type: 'object' } } },
  metadata: { user_id: 'u', m_x: 1 },
};
const ANTHROPIC_DROPPED = [
  'system[0].sys_x', 'messages[0].content[0].part_x', 'messages[0].content[1].source.src_x', 'messages[1].content[0].th_x',
  'messages[1].content[1].cache_control', 'messages[2].content[0].content[0].tr_x', 'messages[2].content[0].content[1].source(unknown)',
  'messages[2].m_x', 'tools[0].tool_x', 'tools[1](web_search_20250305)', 'tool_choice.tc_x', 'thinking.th_x', 'metadata.m_x',
];

const GEMINI: JsonObject = {
  systemInstruction: { parts: [{ text: 'sys', p_x: 1 }] },
  contents: [
    { role: 'user', parts: [{ text: 'hi', part_x: 1 }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=', d_x: 1 }, part_y: 2 }], c_x: 1 },
    { role: 'model', parts: [{ functionCall: { name: 'f', args: { any: 1 }, fc_x: 1 } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' }, fr_x: 1 } }, { executableCode: { code: 'x' } }] },
  ],
  tools: [{ functionDeclarations: [{ name: 'f', description: 'd', parametersJsonSchema: { type: 'object' }, fd_x: 1 }], tool_x: 1 }, { googleSearch: {} }],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'], fcc_x: 1 }, tc_x: 1 },
  generationConfig: {
    seed: 1, maxOutputTokens: 9, temperature: 0.5, topP: 0.9, topK: 5, stopSequences: ['x'], candidateCount: 1,
    responseMimeType: 'application/json', responseJsonSchema: { type: 'object' },
    thinkingConfig: { thinkingBudget: 1000, thinkingLevel: 'LOW', includeThoughts: true, th_x: 1 },
  },
  safetySettings: [{ category: 'x', threshold: 'y' }],
};
const GEMINI_DROPPED = [
  'systemInstruction.parts[0].p_x', 'contents[0].parts[0].part_x', 'contents[0].parts[1].inlineData.d_x', 'contents[0].parts[1].part_y',
  'contents[0].c_x', 'contents[1].parts[0].functionCall.fc_x', 'contents[2].parts[0].functionResponse.fr_x',
  'contents[2].parts[1](executableCode)', 'tools[0].functionDeclarations[0].fd_x', 'tools[0].tool_x', 'tools[1].googleSearch',
  'toolConfig.functionCallingConfig.fcc_x', 'toolConfig.tc_x', 'generationConfig.thinkingConfig.th_x',
  'safetySettings',
];

const PROTOCOLS: { name: string; codec: ProtocolCodec; shape: Shape; body: JsonObject; dropped: string[]; fixtures: string }[] = [
  { name: 'chat', codec: openaiChat, shape: CHAT_REQUEST_SHAPE, body: CHAT, dropped: CHAT_DROPPED, fixtures: 'chat' },
  { name: 'responses', codec: openaiResponses, shape: RESPONSES_REQUEST_SHAPE, body: RESPONSES, dropped: RESPONSES_DROPPED, fixtures: 'responses' },
  { name: 'anthropic', codec: anthropicMessages, shape: ANTHROPIC_REQUEST_SHAPE, body: ANTHROPIC, dropped: ANTHROPIC_DROPPED, fixtures: 'anthropic' },
  { name: 'gemini', codec: geminiGenerate, shape: GEMINI_REQUEST_SHAPE, body: GEMINI, dropped: GEMINI_DROPPED, fixtures: 'gemini/requests' },
];

// dist/test/plugins/translator → repository root: fixtures are not compiled.
const FIXTURES = new URL('../../../../test/fixtures/translator/', import.meta.url);

function fixtureBodies(dir: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const file of readdirSync(new URL(`${dir}/`, FIXTURES))) {
    if (!file.endsWith('.json')) continue;
    const recorded = JSON.parse(readFileSync(new URL(`${dir}/${file}`, FIXTURES), 'utf8')) as { body?: JsonValue; method?: string; url?: string };
    const body = recorded.body;
    if (body && typeof body === 'object' && !Array.isArray(body) && (Array.isArray(body['messages']) || body['input'] !== undefined || Array.isArray(body['contents']))) out.push(body);
  }
  return out;
}

/** `body` behind proxies that record, per object, each key the decoder reads of it (not the drop walk's own reads). */
function recording(body: JsonObject): { body: JsonObject; reads: WeakMap<object, Set<string>> } {
  const reads = new WeakMap<object, Set<string>>();
  const proxies = new WeakMap<object, object>();
  const wrap = <T>(value: T): T => {
    if (value === null || typeof value !== 'object') return value;
    const target = value as object;
    let proxy = proxies.get(target);
    if (!proxy) {
      proxy = new Proxy(target, {
        get(t, key, receiver) {
          if (typeof key === 'string' && !new Error().stack?.includes('/dropped-fields.js')) {
            let seen = reads.get(t);
            if (!seen) reads.set(t, (seen = new Set()));
            seen.add(key);
          }
          return wrap(Reflect.get(t, key, receiver) as unknown);
        },
      });
      proxies.set(target, proxy);
    }
    return proxy as T;
  };
  return { body: wrap(body), reads };
}

/** Keys of `o` its shape says the decoder reads (not `consumed`) that the decoder never read, as paths (null carries nothing). */
function unread(o: JsonObject, shape: Shape, reads: WeakMap<object, Set<string>>, at: string, out: string[]): void {
  let keys = shape.keys;
  if (shape.variant) {
    const own = shape.variants.get(shape.variant(o) ?? '');
    if (own) keys = own;
    else if (shape.othersDropped) return;
  }
  const seen = reads.get(o) ?? new Set<string>();
  for (const [key, field] of keys) {
    const value = o[key];
    if (value === undefined || value === null || field === 'consumed') continue;
    // A leaf must be read; an object or list is held to reading its own declared keys.
    const path = at === '' ? key : `${at}.${key}`;
    if (typeof field !== 'object') { if (!seen.has(key)) out.push(path); continue; }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) unread(item, field, reads, Array.isArray(value) ? `${path}[${i}]` : path, out);
    });
  }
}

describe('translator: dropped fields', () => {
  for (const p of PROTOCOLS) {
    it(`${p.name}: every dropped key is named by its path, nested ones included`, () => {
      const ir = p.codec.decodeRequest(structuredClone(p.body), 'm', false);
      expect(ir.dropped).to.deep.equal(p.dropped);
    });
  }

  it('without listDrops (the log is not at debug) the walk is skipped: only the drops decided on values remain', () => {
    const full = openaiChat.decodeRequest(CHAT, 'm', false).dropped;
    expect(full).to.include('messages[1].x_msg_unknown');
    const quick = openaiChat.decodeRequest(CHAT, 'm', false, false).dropped;
    expect(quick).to.not.include('messages[1].x_msg_unknown');
    expect(quick.every((d) => full.includes(d))).to.equal(true);
  });

  it('the list is bounded: the first paths, then how many more', () => {
    const messages = Array.from({ length: LISTED_DROPS + 7 }, (_, i) => ({ role: 'user', content: `m${i}`, x_msg_unknown: 'secret-value' }));
    const ir = openaiChat.decodeRequest({ model: 'm', messages, logit_bias: {} }, 'm', false);
    expect(ir.dropped).to.have.length(LISTED_DROPS + 1);
    expect(ir.dropped.slice(0, 2)).to.deep.equal(['messages[0].x_msg_unknown', 'messages[1].x_msg_unknown']);
    expect(ir.dropped[LISTED_DROPS]).to.equal('and 8 more');
    expect(JSON.stringify(ir.dropped)).not.to.contain('secret-value');
  });

  it('a key holding null or [] carries nothing and is not reported; {} is (it can turn a tool on)', () => {
    const shape = CHAT_REQUEST_SHAPE;
    expect(droppedFields({ messages: [], seed: null, metadata: [], web_search_options: {} }, shape)).to.deep.equal(['web_search_options']);
  });

  // A key a shape declares read but the decoder no longer reads would be dropped without a word:
  // each declared key present in these bodies (the recorded clients', and the ones above) must be read.
  for (const p of PROTOCOLS) {
    it(`${p.name}: each key the request shape declares is read by the decoder`, () => {
      const missing: string[] = [];
      for (const body of [...fixtureBodies(p.fixtures), p.body]) {
        const plain = structuredClone(body);
        const { body: watched, reads } = recording(plain);
        p.codec.decodeRequest(watched, 'm', false);
        unread(plain, p.shape, reads, '', missing); // the plain objects: this walk is not a read
      }
      expect(missing).to.deep.equal([]);
    });
  }
});
