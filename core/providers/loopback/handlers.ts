// What the loopback provider answers each protocol with: one module per wire format. Imported by
// loopback.ts on its first request, not with the provider (see there).
import type { ProtocolName } from '../../protocols/types.js';
import { anthropicCountTokens, anthropicMessages } from './anthropic-messages.js';
import { geminiEmbed } from './gemini-embed.js';
import { geminiCountTokens, geminiGenerate } from './gemini-generate.js';
import { openaiChat } from './openai-chat.js';
import { openaiEmbeddings } from './openai-embeddings.js';
import { openaiResponses } from './openai-responses.js';
import type { LoopbackHandler } from './reply.js';

export const HANDLERS: Partial<Record<ProtocolName, LoopbackHandler>> = {
  'openai.chat': openaiChat,
  'openai.responses': openaiResponses,
  'openai.embeddings': openaiEmbeddings,
  'anthropic.messages': anthropicMessages,
  'anthropic.count_tokens': anthropicCountTokens,
  'gemini.generate': geminiGenerate,
  'gemini.count_tokens': geminiCountTokens,
  'gemini.embed': geminiEmbed,
};
