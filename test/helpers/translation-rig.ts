// Translation matrix rig: gateway A (router + translator) in front of gateway B (loopback, passthrough
// only), over real HTTP, so every upstream call crosses the wire in the upstream protocol's own
// format. Each upstream protocol has a model name in A; each client protocol has a driver built on
// its official SDK, which is the judge of what comes back.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content, type Part } from '@google/genai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from './gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';

export const GENERATE = ['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate'] as const;
export type GenProtocol = (typeof GENERATE)[number];

/** The model name in gateway A that routes to an upstream speaking `p`. */
export function modelFor(p: GenProtocol): string {
  return `via-${p.replace('.', '-')}`;
}

/**
 * Providers reaching an upstream at `origin` (http://host:port) in each protocol family: `up-chat`,
 * `up-responses`, `up-anthropic`, `up-gemini` (plus `local` loopback from config()). The two OpenAI
 * ones differ only in `protocols:`, so each is reached in exactly one generation protocol.
 */
export function upstreamProviders(origin: string, extra = ''): string {
  return [
    `  up-chat: { type: openai, base_url: "${origin}/v1", api_key: test-key, protocols: [openai.chat, openai.embeddings]${extra} }`,
    `  up-responses: { type: openai, base_url: "${origin}/v1", api_key: test-key, protocols: [openai.responses]${extra} }`,
    `  up-anthropic: { type: anthropic, base_url: "${origin}", api_key: test-key${extra} }`,
    `  up-gemini: { type: gemini, base_url: "${origin}", api_key: test-key${extra} }`,
  ].join('\n');
}

const UPSTREAM_PROVIDER: Record<GenProtocol, string> = {
  'openai.chat': 'up-chat', 'openai.responses': 'up-responses', 'anthropic.messages': 'up-anthropic', 'gemini.generate': 'up-gemini',
};

/** Router routes sending modelFor(p) to the provider speaking p, renamed to `upstreamModel`. */
export function routesYaml(upstreamModel = 'loopback'): string {
  return GENERATE.map((p) => `        - { match: ${modelFor(p)}, provider: ${UPSTREAM_PROVIDER[p]}, model: ${upstreamModel} }`).join('\n');
}

export interface Rig {
  a: TestGateway;
  b: TestGateway;
  /** Endpoint ids gateway B logged since `mark()` (which upstream protocol was really spoken). */
  upstreamEndpoints(): Promise<string[]>;
  mark(): void;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const b = await startGateway(config({ chain: '  - use: router\n    with: { default: local, mode: passthrough }' }));
  const a = await startGateway(config({
    providers: upstreamProviders(b.url),
    chain: [
      '  - use: router\n    with:\n      routes:',
      routesYaml(),
      '        - { match: "embed-via-openai", provider: up-chat, model: loopback-embed }',
      '        - { match: "embed-via-gemini", provider: up-gemini, model: loopback-embed }',
      '      default: local',
      '  - use: translator',
    ].join('\n'),
  }));
  let from = 0;
  return {
    a, b,
    mark: () => { from = b.logs.length; },
    async upstreamEndpoints() {
      await new Promise((r) => setTimeout(r, 30)); // request lines are written when the response closes
      return b.logs.slice(from).map((l) => JSON.parse(l) as { msg: string; endpoint?: string }).filter((l) => l.msg === 'request').map((l) => l.endpoint!);
    },
    close: async () => { await a.close(); await b.close(); },
  };
}

// ---------------------------------------------------------------------------------------------
// Client drivers: one per client protocol, each speaking only through its official SDK.

export interface TextResult { text: string; inputTokens: number | undefined; outputTokens: number | undefined }
export interface ToolCallSeen { id: string; name: string; args: unknown }
export interface ToolTurn {
  calls: ToolCallSeen[];
  /** Sends one result per call back in the client's own format; resolves to the final text. */
  reply(results: string[], stream: boolean): Promise<string>;
}
export interface ThinkTurn {
  reasoning: { text: string; signature: string } | undefined;
  /** Sends the whole assistant turn back (its reasoning text edited when `tamper`) plus a new user turn. */
  next(tamper: boolean, stream: boolean): Promise<string>;
}
export interface Driver {
  protocol: GenProtocol;
  text(model: string, prompt: string): Promise<TextResult>;
  streamText(model: string, prompt: string): Promise<TextResult>;
  tools(model: string, prompt: string, stream: boolean): Promise<ToolTurn>;
  think(model: string, prompt: string, stream: boolean): Promise<ThinkTurn>;
  /** True when this protocol can carry a reasoning signature back upstream. */
  carriesReasoning: boolean;
}

export const TOOL_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' }, note: { type: 'string' } },
  required: ['city'],
} as const;
const TOOL_DESCRIPTION = 'weather forecast for a city';
const NEXT_TURN = 'thanks, and now?';
const EDIT = ' (edited)';

export function openaiClient(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
}
export function anthropicClient(url: string): Anthropic {
  return new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0 });
}
export function genaiClient(url: string): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: url } });
}

export function chatDriver(url: string): Driver {
  const client = openaiClient(url);
  type Msg = OpenAI.Chat.Completions.ChatCompletionMessageParam;
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', description: TOOL_DESCRIPTION, parameters: TOOL_SCHEMA as unknown as Record<string, unknown> } }];
  const complete = async (body: { model: string; messages: Msg[]; tools?: typeof tools }, stream: boolean): Promise<OpenAI.Chat.Completions.ChatCompletion> =>
    stream ? client.chat.completions.stream({ ...body, stream_options: { include_usage: true } }).finalChatCompletion() : client.chat.completions.create(body);
  const result = (r: OpenAI.Chat.Completions.ChatCompletion): TextResult => ({ text: r.choices[0]!.message.content ?? '', inputTokens: r.usage?.prompt_tokens, outputTokens: r.usage?.completion_tokens });
  return {
    protocol: 'openai.chat',
    carriesReasoning: false,
    text: async (model, prompt) => result(await complete({ model, messages: [{ role: 'user', content: prompt }] }, false)),
    streamText: async (model, prompt) => result(await complete({ model, messages: [{ role: 'user', content: prompt }] }, true)),
    async tools(model, prompt, stream) {
      const messages: Msg[] = [{ role: 'user', content: prompt }];
      const first = await complete({ model, messages, tools }, stream);
      const msg = first.choices[0]!.message;
      const calls = (msg.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown, raw: c.function.arguments }] : []));
      return {
        calls,
        async reply(results, s) {
          messages.push({ role: 'assistant', content: msg.content, tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.raw } })) });
          results.forEach((r, i) => messages.push({ role: 'tool', tool_call_id: calls[i]!.id, content: r }));
          return result(await complete({ model, messages, tools }, s)).text;
        },
      };
    },
    async think() { throw new Error('Chat Completions carries no reasoning signature'); },
  };
}

export function responsesDriver(url: string): Driver {
  const client = openaiClient(url);
  type Input = OpenAI.Responses.ResponseInputItem;
  const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'lookup', description: TOOL_DESCRIPTION, parameters: TOOL_SCHEMA as unknown as Record<string, unknown>, strict: false }];
  const create = async (body: OpenAI.Responses.ResponseCreateParamsNonStreaming, stream: boolean): Promise<OpenAI.Responses.Response> =>
    stream ? client.responses.stream(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming).finalResponse() : client.responses.create(body);
  const result = (r: OpenAI.Responses.Response): TextResult => ({ text: r.output_text, inputTokens: r.usage?.input_tokens, outputTokens: r.usage?.output_tokens });
  const reasoningParams: Pick<OpenAI.Responses.ResponseCreateParamsNonStreaming, 'reasoning' | 'include' | 'store'> = { reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false };
  return {
    protocol: 'openai.responses',
    carriesReasoning: true,
    text: async (model, prompt) => result(await create({ model, input: prompt }, false)),
    streamText: async (model, prompt) => result(await create({ model, input: prompt }, true)),
    async tools(model, prompt, stream) {
      const input: Input[] = [{ role: 'user', content: prompt }];
      const first = await create({ model, input, tools }, stream);
      const fcs = first.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
      return {
        calls: fcs.map((c) => ({ id: c.call_id, name: c.name, args: JSON.parse(c.arguments) as unknown })),
        async reply(results, s) {
          input.push(...(first.output as Input[]));
          results.forEach((r, i) => input.push({ type: 'function_call_output', call_id: fcs[i]!.call_id, output: r }));
          return result(await create({ model, input, tools }, s)).text;
        },
      };
    },
    async think(model, prompt, stream) {
      const input: Input[] = [{ role: 'user', content: prompt }];
      const first = await create({ model, input, ...reasoningParams }, stream);
      const item = first.output.find((o): o is OpenAI.Responses.ResponseReasoningItem => o.type === 'reasoning');
      return {
        reasoning: item && { text: item.summary.map((s) => s.text).join('\n'), signature: item.encrypted_content ?? '' },
        async next(tamper, s) {
          const output = first.output.map((o) => (tamper && o.type === 'reasoning' ? { ...o, summary: o.summary.map((p) => ({ ...p, text: p.text + EDIT })) } : o));
          return result(await create({ model, input: [...input, ...(output as Input[]), { role: 'user', content: NEXT_TURN }], ...reasoningParams }, s)).text;
        },
      };
    },
  };
}

export function messagesDriver(url: string): Driver {
  const client = anthropicClient(url);
  type Param = Anthropic.MessageParam;
  const tools: Anthropic.Tool[] = [{ name: 'lookup', description: TOOL_DESCRIPTION, input_schema: TOOL_SCHEMA as unknown as Anthropic.Tool.InputSchema }];
  const create = async (body: Omit<Anthropic.MessageCreateParamsNonStreaming, 'max_tokens'>, stream: boolean): Promise<Anthropic.Message> => {
    const full = { max_tokens: 2048, ...body };
    return stream ? client.messages.stream(full).finalMessage() : client.messages.create(full);
  };
  const textOf = (m: Anthropic.Message): string => m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  const result = (m: Anthropic.Message): TextResult => ({ text: textOf(m), inputTokens: m.usage.input_tokens, outputTokens: m.usage.output_tokens });
  const thinking = { type: 'enabled', budget_tokens: 1024 } as const;
  return {
    protocol: 'anthropic.messages',
    carriesReasoning: true,
    text: async (model, prompt) => result(await create({ model, messages: [{ role: 'user', content: prompt }] }, false)),
    streamText: async (model, prompt) => result(await create({ model, messages: [{ role: 'user', content: prompt }] }, true)),
    async tools(model, prompt, stream) {
      const messages: Param[] = [{ role: 'user', content: prompt }];
      const first = await create({ model, messages, tools }, stream);
      const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      return {
        calls: uses.map((u) => ({ id: u.id, name: u.name, args: u.input })),
        async reply(results, s) {
          messages.push({ role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] });
          messages.push({ role: 'user', content: results.map((r, i) => ({ type: 'tool_result' as const, tool_use_id: uses[i]!.id, content: r })) });
          return result(await create({ model, messages, tools }, s)).text;
        },
      };
    },
    async think(model, prompt, stream) {
      const messages: Param[] = [{ role: 'user', content: prompt }];
      const first = await create({ model, messages, thinking }, stream);
      const block = first.content.find((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
      return {
        reasoning: block && { text: block.thinking, signature: block.signature },
        async next(tamper, s) {
          const content = first.content.map((b) => (tamper && b.type === 'thinking' ? { ...b, thinking: b.thinking + EDIT } : b)) as Anthropic.ContentBlockParam[];
          return result(await create({ model, messages: [...messages, { role: 'assistant', content }, { role: 'user', content: NEXT_TURN }], thinking }, s)).text;
        },
      };
    },
  };
}

export function geminiDriver(url: string): Driver {
  const ai = genaiClient(url);
  const toolConfig = { tools: [{ functionDeclarations: [{ name: 'lookup', description: TOOL_DESCRIPTION, parametersJsonSchema: TOOL_SCHEMA }] }] };
  const thinkingConfig = { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } };
  interface Turn { content: Content; text: string; inputTokens?: number; outputTokens?: number }
  /** One model turn; streamed chunks are merged the way a genai caller must (parts concatenated). */
  const generate = async (model: string, contents: Content[], cfg: Record<string, unknown>, stream: boolean): Promise<Turn> => {
    if (!stream) {
      const r = await ai.models.generateContent({ model, contents, config: cfg });
      const parts = r.candidates?.[0]?.content?.parts ?? [];
      return { content: { role: 'model', parts }, text: r.text ?? '', inputTokens: r.usageMetadata?.promptTokenCount, outputTokens: r.usageMetadata?.candidatesTokenCount };
    }
    const parts: Part[] = [];
    let text = '';
    let usage: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined;
    for await (const chunk of await ai.models.generateContentStream({ model, contents, config: cfg })) {
      parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
      text += chunk.text ?? '';
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
    }
    return { content: { role: 'model', parts }, text, inputTokens: usage?.promptTokenCount, outputTokens: usage?.candidatesTokenCount };
  };
  const result = (t: Turn): TextResult => ({ text: t.text, inputTokens: t.inputTokens, outputTokens: t.outputTokens });
  const user = (text: string): Content => ({ role: 'user', parts: [{ text }] });
  return {
    protocol: 'gemini.generate',
    carriesReasoning: true,
    text: async (model, prompt) => result(await generate(model, [user(prompt)], {}, false)),
    streamText: async (model, prompt) => result(await generate(model, [user(prompt)], {}, true)),
    async tools(model, prompt, stream) {
      const contents: Content[] = [user(prompt)];
      const first = await generate(model, contents, toolConfig, stream);
      const fcs = (first.content.parts ?? []).flatMap((p) => (p.functionCall ? [p.functionCall] : []));
      return {
        calls: fcs.map((f) => ({ id: f.id ?? '', name: f.name ?? '', args: f.args })),
        async reply(results, s) {
          contents.push(first.content, { role: 'user', parts: results.map((r, i) => ({ functionResponse: { id: fcs[i]!.id, name: fcs[i]!.name, response: { output: r } } })) });
          return (await generate(model, contents, toolConfig, s)).text;
        },
      };
    },
    async think(model, prompt, stream) {
      const contents: Content[] = [user(prompt)];
      const first = await generate(model, contents, thinkingConfig, stream);
      // A streamed thought arrives in pieces, signed by the part that carries thoughtSignature; the
      // history goes back exactly as received, as Gemini CLI sends it.
      const thoughts = (first.content.parts ?? []).filter((p) => p.thought === true);
      const signature = thoughts.find((p) => p.thoughtSignature)?.thoughtSignature;
      return {
        reasoning: thoughts.length ? { text: thoughts.map((p) => p.text ?? '').join(''), signature: signature ?? '' } : undefined,
        async next(tamper, s) {
          const parts = (first.content.parts ?? []).map((p) => (tamper && p === thoughts[0] ? { ...p, text: (p.text ?? '') + EDIT } : p));
          return (await generate(model, [...contents, { role: 'model', parts }, user(NEXT_TURN)], thinkingConfig, s)).text;
        },
      };
    },
  };
}

export function drivers(url: string): Record<GenProtocol, Driver> {
  return {
    'openai.chat': chatDriver(url),
    'openai.responses': responsesDriver(url),
    'anthropic.messages': messagesDriver(url),
    'gemini.generate': geminiDriver(url),
  };
}

/** The HTTP status an SDK error carries, whichever SDK threw it. */
export function errorStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; code?: unknown };
  return typeof e.status === 'number' ? e.status : undefined;
}

/**
 * A gateway (router, then translator) in front of one recording upstream that speaks every family
 * (`up-chat`, `up-responses`, `up-anthropic`, `up-gemini`, see upstreamProviders): `routes` are
 * the router's route lines. Tests read what each upstream was sent from `up.requests`.
 */
export async function startRecordedTranslation(routes: string[]): Promise<{ up: RecordingUpstream; gw: TestGateway; close(): Promise<void> }> {
  const up = await startRecordingUpstream();
  const gw = await startGateway(config({
    providers: upstreamProviders(up.origin),
    chain: ['  - use: router\n    with:\n      routes:', ...routes.map((r) => `        - ${r}`), '  - use: translator'].join('\n'),
  }));
  return { up, gw, close: async () => { await gw.close(); await up.close(); } };
}
