// The protocols the translator can speak on either side.
import type { ProtocolName } from '../../core/index.js';
import type { ProtocolCodec } from './codec.js';
import { anthropicMessages } from './protocols/anthropic/index.js';
import { openaiChat } from './protocols/chat/index.js';
import { geminiGenerate } from './protocols/gemini/index.js';
import { openaiResponses } from './protocols/responses/index.js';

const CODECS: Partial<Record<ProtocolName, ProtocolCodec>> = {
  'openai.chat': openaiChat,
  'openai.responses': openaiResponses,
  'anthropic.messages': anthropicMessages,
  'gemini.generate': geminiGenerate,
};

export function codecFor(name: ProtocolName): ProtocolCodec | undefined {
  return CODECS[name];
}
