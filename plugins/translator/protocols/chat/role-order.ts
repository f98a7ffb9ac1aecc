// Strict Chat servers — Mistral's API, and vLLM or any server using Mistral's tokenizer — take only
// an assistant or another tool message after a tool message ("Unexpected role 'user' after role
// 'tool'", the same for 'system'), and no system message after an assistant one; chat templates
// such as Qwen's and Gemma's take a system message only first. The other protocols put text beside
// tool results freely (Claude Code's user turn holds its tool results and its <system-reminder>
// texts) and system text mid-conversation (Claude Code's system message, Codex's developer notes):
// towards those servers (strict-servers.ts), that system text joins the leading system message
// (the encoder) and a user's text after tool results joins the last result (here). Every other
// model — OpenAI's, which reads a tool's output as less trusted than the user's or the system's
// words — keeps the messages apart, where the client put them.
import { asObject, asString, type JsonObject, type JsonValue } from '../../../../core/index.js';
import { isMistralModel } from '../../strict-servers.js';

/**
 * Towards Mistral's models, the messages with each text-only user message that directly follows a
 * tool message made a paragraph of that tool message (as the loop detector's note joins it). A message with an image
 * or a file stays a message: it has no other place in Chat.
 */
export function textAfterToolsFolded(messages: JsonObject[], model: string): JsonObject[] {
  if (!isMistralModel(model)) return messages;
  const out: JsonObject[] = [];
  for (const m of messages) {
    const tool = out[out.length - 1];
    const text = tool?.['role'] === 'tool' && m['role'] === 'user' ? textOnly(m['content']) : undefined;
    if (tool === undefined || text === undefined) { out.push(m); continue; }
    if (text === '') continue;
    const content = asString(tool['content']) ?? '';
    tool['content'] = content === '' ? text : `${content}\n\n${text}`;
  }
  return out;
}

function textOnly(content: JsonValue | undefined): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const raw of content) {
    const part = asObject(raw);
    const text = part?.['type'] === 'text' ? asString(part['text']) : undefined;
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return texts.join('\n\n');
}
