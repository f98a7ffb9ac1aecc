// Per-message effort (Anthropic's beta "mid-conversation-output-config"): Claude Code sends a
// `role: "system"` message carrying `output_config.effort` to change the effort partway through a
// conversation without touching the top-level value (which keeps the prompt cache). The other
// providers take one effort per request, so the translator sends the one in force for this reply.
import { asObject, asString, type JsonValue } from '../../../../core/index.js';

/**
 * The effort in force for the reply the request asks for. Anthropic's rule: a system message's
 * effort applies from the reply to the user turn it directly follows when that turn has new input,
 * else from the next user turn with new input (a turn of tool results only is none), and stays
 * until a later one changes it. `topLevel` (output_config.effort) holds until then.
 */
export function effortInForce(messages: readonly JsonValue[], topLevel: string | undefined): string | undefined {
  let inForce = topLevel;
  let pending: string | undefined;
  let afterNewInput = false;
  for (const raw of messages) {
    const m = asObject(raw);
    if (!m) continue;
    if (m['role'] === 'system') {
      // Placed beside a system message with text, it still follows the user turn before them both.
      const effort = asString(asObject(m['output_config'])?.['effort']);
      if (effort === undefined) continue;
      if (afterNewInput) inForce = effort;
      else pending = effort;
      continue;
    }
    afterNewInput = m['role'] === 'user' && hasNewInput(m['content']);
    if (afterNewInput && pending !== undefined) { inForce = pending; pending = undefined; }
  }
  return inForce;
}

function hasNewInput(content: JsonValue | undefined): boolean {
  if (typeof content === 'string') return true;
  return Array.isArray(content) && content.some((b) => asString(asObject(b)?.['type']) !== 'tool_result');
}
