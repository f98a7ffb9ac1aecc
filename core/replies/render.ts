// A plugin's reply rendered in the client's protocol, JSON or stream, by the same renderers the
// loopback model answers with — so a reply is as faithful to each SDK as loopback is.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { GatewayResponse } from '../exchange.js';
import { protocolName, type JsonObject, type Protocol } from '../protocols/types.js';
import { renderMessages } from '../providers/loopback/anthropic-messages.js';
import { renderGenerate } from '../providers/loopback/gemini-generate.js';
import { renderChat } from '../providers/loopback/openai-chat.js';
import { renderResponses } from '../providers/loopback/openai-responses.js';
import type { Answer } from '../providers/loopback/script.js';
import type { Reply } from './reply.js';

export interface ReplyContext {
  /** The request id (response ids derive from it). */
  id: string;
  model: string;
  stream: boolean;
  /** The client's request body (Responses echoes some of its fields). */
  body: JsonObject;
}

const RENDERERS = {
  'openai.chat': renderChat,
  'openai.responses': renderResponses,
  'anthropic.messages': renderMessages,
  'gemini.generate': renderGenerate,
} as const;

export function renderReply(protocol: Protocol, reply: Reply, ctx: ReplyContext): GatewayResponse {
  const name = protocolName(protocol);
  const render = RENDERERS[name as keyof typeof RENDERERS];
  if (!render) throw new GatewayError('SLUICE_E_INTERNAL', `a plugin replied to a ${name} request, which has no assistant message to reply with`);
  const usage = reply.usage ?? {};
  const answer: Answer = {
    reasoning: undefined,
    // The renderers carry text or tool calls in one turn, as the script does.
    text: reply.toolCalls?.length ? '' : reply.text ?? '',
    toolCalls: (reply.toolCalls ?? []).map((c, i) => ({
      id: c.id ?? createHash('sha256').update(`${ctx.id}\u0000${i}`).digest('hex').slice(0, 24),
      // An id the plugin gave reaches the client as it is; generated ones get the family's prefix.
      ...(c.id === undefined ? {} : { wireId: c.id }),
      name: c.name,
      arguments: JSON.stringify(c.arguments),
    })),
    stopReason: reply.stopReason,
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? 0,
  };
  const response = render(answer, { protocol, body: ctx.body, stream: ctx.stream, model: ctx.model }, ctx.id.replace(/[^A-Za-z0-9]/g, ''));
  if (reply.headers) Object.assign(response.headers, reply.headers);
  return response;
}
