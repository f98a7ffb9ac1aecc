// Whether a request continues a conversation the provider stores and the client does not resend:
// then sequential placeholder numbering (placeholders.ts) cannot see the earlier turns' numbers,
// and the request numbers keyed instead.
import type { JsonObject, ProtocolName } from '../../core/index.js';

/** Responses `previous_response_id` (chained responses) or `conversation` (the Conversations API). */
export function continuesStoredConversation(protocol: ProtocolName, body: Readonly<JsonObject>): boolean {
  if (protocol !== 'openai.responses') return false;
  const previous = body['previous_response_id'];
  const conversation = body['conversation'];
  return (typeof previous === 'string' && previous !== '') || (conversation !== undefined && conversation !== null);
}
