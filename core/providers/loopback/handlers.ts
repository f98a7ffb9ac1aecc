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
import { refuseMalformed } from './wire-checks.js';

/** A body of a shape the real API refuses gets that API's 400 before the handler reads it (wire-checks.ts). */
const checked = (handler: LoopbackHandler): LoopbackHandler => (request, id) => {
  refuseMalformed(request);
  return handler(request, id);
};

export const HANDLERS: Partial<Record<ProtocolName, LoopbackHandler>> = {
  'openai.chat': checked(openaiChat),
  'openai.responses': checked(openaiResponses),
  'openai.embeddings': openaiEmbeddings,
  'anthropic.messages': checked(anthropicMessages),
  'anthropic.count_tokens': checked(anthropicCountTokens),
  'gemini.generate': checked(geminiGenerate),
  'gemini.count_tokens': checked(geminiCountTokens),
  'gemini.embed': geminiEmbed,
};
