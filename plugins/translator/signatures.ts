// Reasoning signatures (Anthropic thinking signatures, Responses `encrypted_content`, Gemini
// `thoughtSignature`) are only valid at the provider family that issued them: sent anywhere else
// they fail verification and the whole request is rejected. So a signature handed to a client of
// another family is tagged with its origin, and on the way back it is only sent to that family.
// An untagged signature came from the client's own family (passthrough or direct use).
import type { ApiFamily } from '../../core/index.js';
import type { IrMessage, IrPart, IrRequest, IrResponse, IrStreamEvent } from './ir.js';

const PREFIX = 'sluice1.';
const FAMILIES: readonly ApiFamily[] = ['openai', 'anthropic', 'gemini'];

/** The signature as the client should store it. */
export function tagSignature(signature: string, origin: ApiFamily, client: ApiFamily): string {
  return origin === client ? signature : `${PREFIX}${origin}.${signature}`;
}

/** The family and the provider's own signature inside a tagged one; undefined when `value` is not tagged. */
export function parseTag(value: string): { signature: string; origin: ApiFamily } | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const dot = value.indexOf('.', PREFIX.length);
  const origin = value.slice(PREFIX.length, dot) as ApiFamily;
  return dot > 0 && FAMILIES.includes(origin) ? { signature: value.slice(dot + 1), origin } : undefined;
}

function untag(signature: string, client: ApiFamily): { signature: string; origin: ApiFamily } {
  return parseTag(signature) ?? { signature, origin: client };
}

function mapSigned(parts: IrPart[], f: (signature: string, part: IrPart) => IrPart): IrPart[] {
  return parts.map((p) => ((p.type === 'thinking' || p.type === 'tool_call') && p.signature !== undefined ? f(p.signature, p) : p));
}

/** Client request: strips the tags, remembering where each signature came from. */
export function untagRequest(request: IrRequest, client: ApiFamily): IrRequest {
  const messages: IrMessage[] = request.messages.map((m) => ({
    ...m,
    parts: mapSigned(m.parts, (sig, p) => {
      const { signature, origin } = untag(sig, client);
      return { ...p, signature, signatureOrigin: origin } as IrPart;
    }),
  }));
  return { ...request, messages };
}

/** The request for an upstream of `family`: signatures from any other family are left out. */
export function signaturesFor(request: IrRequest, family: ApiFamily): IrRequest {
  const foreign = (p: IrPart) => (p.type === 'thinking' || p.type === 'tool_call') && p.signature !== undefined && p.signatureOrigin !== family;
  if (!request.messages.some((m) => m.parts.some(foreign))) return request;
  return {
    ...request,
    messages: request.messages.map((m) => ({
      ...m,
      parts: m.parts.map((p) => {
        if (!foreign(p)) return p;
        const { signature: _dropped, signatureOrigin: _origin, ...rest } = p as IrPart & { signature?: string; signatureOrigin?: ApiFamily };
        return rest as IrPart;
      }),
    })),
  };
}

export function tagResponse(response: IrResponse, origin: ApiFamily, client: ApiFamily): IrResponse {
  if (origin === client) return response;
  return { ...response, parts: mapSigned(response.parts, (sig, p) => ({ ...p, signature: tagSignature(sig, origin, client) }) as IrPart) };
}

export async function* tagStream(events: AsyncIterable<IrStreamEvent>, origin: ApiFamily, client: ApiFamily): AsyncGenerator<IrStreamEvent> {
  for await (const ev of events) {
    if (ev.type === 'thinking_signature') yield { ...ev, signature: tagSignature(ev.signature, origin, client) };
    else if (ev.type === 'tool_call_start' && ev.signature !== undefined) yield { ...ev, signature: tagSignature(ev.signature, origin, client) };
    else yield ev;
  }
}
