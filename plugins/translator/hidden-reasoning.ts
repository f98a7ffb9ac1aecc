// Reasoning a client did not ask to see. Its own provider would answer it without the text:
// OpenAI gives a Responses client that asked no `reasoning.summary` a reasoning item with
// `summary: []`, Anthropic gives Claude Code (`thinking.display: "omitted"`) thinking blocks with
// empty text. A translated answer does the same — but the text cannot simply be dropped: an
// Anthropic signature is valid only with its text, and a Chat server reads its reasoning back. So
// the text rides, hidden, in the opaque field the client returns verbatim on the next turn (the
// signature, encrypted_content; for a Gemini client the `thoughtSignature` of the part the reasoning
// precedes, where Google puts its own signature when it answers without thoughts):
// `sluice-text1:<text as base64url>:<signature, tagged as usual, or nothing>`. The request decoders
// take it out again; a passthrough turn drops such reasoning.
import type { ProtocolName } from '../../core/index.js';
import type { IrRequest, IrResponse, IrStreamEvent } from './ir.js';

const PREFIX = 'sluice-text1:';

export function packHidden(text: string, signature: string | undefined): string {
  return `${PREFIX}${Buffer.from(text, 'utf8').toString('base64url')}:${signature ?? ''}`;
}

/** The text and the signature inside a packed value; undefined for any other value. */
export function unpackHidden(value: string): { text: string; signature: string | undefined } | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const colon = value.indexOf(':', PREFIX.length);
  if (colon < 0) return undefined;
  const signature = value.slice(colon + 1);
  return { text: Buffer.from(value.slice(PREFIX.length, colon), 'base64url').toString('utf8'), signature: signature === '' ? undefined : signature };
}

/**
 * Whether the client asked not to see reasoning text: Claude Code says so (`display: "omitted"`);
 * a Responses client sees a summary only when it asks for one, a Gemini client thoughts only with
 * `includeThoughts: true` (gemini/thinking.ts); Chat has no way to say it.
 */
export function hidesReasoning(client: ProtocolName, request: IrRequest): boolean {
  if (client === 'anthropic.messages') return request.reasoning?.includeThoughts === false;
  if (client === 'openai.responses' || client === 'gemini.generate') return request.reasoning?.includeThoughts !== true;
  return false;
}

/** Whether a signature is packed reasoning (packHidden). */
export function isHidden(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function hideResponseReasoning(response: IrResponse): IrResponse {
  if (!response.parts.some((p) => p.type === 'thinking' && p.text !== '')) return response;
  return {
    ...response,
    parts: response.parts.map((p) => (p.type === 'thinking' && p.text !== '' ? { ...p, text: '', signature: packHidden(p.text, p.signature) } : p)),
  };
}

/**
 * The stream with each reasoning block's text held back and sent, packed, as its signature when
 * the block ends (its signature arrives, or anything but usage follows): no thinking text reaches
 * the client, as with Anthropic's omitted display.
 */
export async function* hideStreamReasoning(events: AsyncIterable<IrStreamEvent>): AsyncGenerator<IrStreamEvent> {
  let text = '';
  for await (const ev of events) {
    if (ev.type === 'thinking_delta') { text += ev.text; continue; }
    if (ev.type === 'thinking_signature') {
      yield text === '' ? ev : { type: 'thinking_signature', signature: packHidden(text, ev.signature) };
      text = '';
      continue;
    }
    // Gemini reports usage with every chunk, between a thought's pieces.
    if (text !== '' && ev.type !== 'usage' && ev.type !== 'start') {
      yield { type: 'thinking_signature', signature: packHidden(text, undefined) };
      text = '';
    }
    yield ev;
  }
  if (text !== '') yield { type: 'thinking_signature', signature: packHidden(text, undefined) };
}
