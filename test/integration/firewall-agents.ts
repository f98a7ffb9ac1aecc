// A two-turn agent per client protocol, each speaking only through its official SDK: a system prompt,
// a user turn (whose `[[tool:…]]` marker makes loopback call a tool), then the tool's result sent
// back in the client's own format and the model's final text.
import type Anthropic from '@anthropic-ai/sdk';
import type { Content } from '@google/genai';
import type OpenAI from 'openai';
import { anthropicClient, genaiClient, openaiClient, TOOL_SCHEMA, type GenProtocol } from '../helpers/translation-rig.js';

export interface AgentCall {
  name: string;
  args: unknown;
}

export interface AgentTurn {
  text: string;
  calls: AgentCall[];
  /** Sends one result per call back; resolves to the final text. */
  next(results: string[], stream: boolean): Promise<string>;
}

export type Agent = (model: string, system: string, prompt: string, stream: boolean) => Promise<AgentTurn>;

const DESCRIPTION = 'weather forecast for a city';

function chatAgent(url: string): Agent {
  const client = openaiClient(url);
  type Msg = OpenAI.Chat.Completions.ChatCompletionMessageParam;
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', description: DESCRIPTION, parameters: TOOL_SCHEMA as unknown as Record<string, unknown> } }];
  return async (model, system, prompt, stream) => {
    const messages: Msg[] = [{ role: 'system', content: system }, { role: 'user', content: prompt }];
    const call = (m: Msg[], s: boolean) => (s
      ? client.chat.completions.stream({ model, messages: m, tools, stream_options: { include_usage: true } }).finalChatCompletion()
      : client.chat.completions.create({ model, messages: m, tools }));
    const first = await call(messages, stream);
    const msg = first.choices[0]!.message;
    const fcs = (msg.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
    return {
      text: msg.content ?? '',
      calls: fcs.map((c) => ({ name: c.function.name, args: JSON.parse(c.function.arguments) as unknown })),
      async next(results, s) {
        messages.push({ role: 'assistant', content: msg.content, tool_calls: fcs.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } })) });
        results.forEach((r, i) => messages.push({ role: 'tool', tool_call_id: fcs[i]!.id, content: r }));
        return (await call(messages, s)).choices[0]!.message.content ?? '';
      },
    };
  };
}

function responsesAgent(url: string): Agent {
  const client = openaiClient(url);
  type Input = OpenAI.Responses.ResponseInputItem;
  const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'lookup', description: DESCRIPTION, parameters: TOOL_SCHEMA as unknown as Record<string, unknown>, strict: false }];
  const create = (body: OpenAI.Responses.ResponseCreateParamsNonStreaming, stream: boolean): Promise<OpenAI.Responses.Response> =>
    stream ? client.responses.stream(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming).finalResponse() : client.responses.create(body);
  return async (model, system, prompt, stream) => {
    const input: Input[] = [{ role: 'user', content: prompt }];
    const first = await create({ model, instructions: system, input, tools }, stream);
    const fcs = first.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
    return {
      text: first.output_text,
      calls: fcs.map((c) => ({ name: c.name, args: JSON.parse(c.arguments) as unknown })),
      async next(results, s) {
        input.push(...(first.output as Input[]));
        results.forEach((r, i) => input.push({ type: 'function_call_output', call_id: fcs[i]!.call_id, output: r }));
        return (await create({ model, instructions: system, input, tools }, s)).output_text;
      },
    };
  };
}

function messagesAgent(url: string): Agent {
  const client = anthropicClient(url);
  type Param = Anthropic.MessageParam;
  const tools: Anthropic.Tool[] = [{ name: 'lookup', description: DESCRIPTION, input_schema: TOOL_SCHEMA as unknown as Anthropic.Tool.InputSchema }];
  const create = (body: Omit<Anthropic.MessageCreateParamsNonStreaming, 'max_tokens'>, stream: boolean): Promise<Anthropic.Message> => {
    const full = { max_tokens: 1024, ...body };
    return stream ? client.messages.stream(full).finalMessage() : client.messages.create(full);
  };
  const textOf = (m: Anthropic.Message) => m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  return async (model, system, prompt, stream) => {
    const messages: Param[] = [{ role: 'user', content: prompt }];
    const first = await create({ model, system, messages, tools }, stream);
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    return {
      text: textOf(first),
      calls: uses.map((u) => ({ name: u.name, args: u.input })),
      async next(results, s) {
        messages.push({ role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] });
        messages.push({ role: 'user', content: results.map((r, i) => ({ type: 'tool_result' as const, tool_use_id: uses[i]!.id, content: r })) });
        return textOf(await create({ model, system, messages, tools }, s));
      },
    };
  };
}

/** The answer's text parts (what `response.text` gives, without its warning about function calls). */
function textOf(parts: NonNullable<Content['parts']>): string {
  return parts.flatMap((p) => (typeof p.text === 'string' && p.thought !== true ? [p.text] : [])).join('');
}

function geminiAgent(url: string): Agent {
  const ai = genaiClient(url);
  const tools = [{ functionDeclarations: [{ name: 'lookup', description: DESCRIPTION, parametersJsonSchema: TOOL_SCHEMA }] }];
  const generate = async (model: string, system: string, contents: Content[], stream: boolean): Promise<{ content: Content; text: string }> => {
    const config = { systemInstruction: system, tools };
    if (!stream) {
      const r = await ai.models.generateContent({ model, contents, config });
      const parts = r.candidates?.[0]?.content?.parts ?? [];
      return { content: { role: 'model', parts }, text: textOf(parts) };
    }
    const parts: NonNullable<Content['parts']> = [];
    for await (const chunk of await ai.models.generateContentStream({ model, contents, config })) parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
    return { content: { role: 'model', parts }, text: textOf(parts) };
  };
  return async (model, system, prompt, stream) => {
    const contents: Content[] = [{ role: 'user', parts: [{ text: prompt }] }];
    const first = await generate(model, system, contents, stream);
    const fcs = (first.content.parts ?? []).flatMap((p) => (p.functionCall ? [p.functionCall] : []));
    return {
      text: first.text,
      calls: fcs.map((f) => ({ name: f.name ?? '', args: f.args })),
      async next(results, s) {
        contents.push(first.content, { role: 'user', parts: results.map((r, i) => ({ functionResponse: { id: fcs[i]!.id, name: fcs[i]!.name, response: { output: r } } })) });
        return (await generate(model, system, contents, s)).text;
      },
    };
  };
}

export function agents(url: string): Record<GenProtocol, Agent> {
  return {
    'openai.chat': chatAgent(url),
    'openai.responses': responsesAgent(url),
    'anthropic.messages': messagesAgent(url),
    'gemini.generate': geminiAgent(url),
  };
}
