// Tool names each family accepts, and names mapped for an upstream that would refuse a client's.
//
// OpenAI takes ^[a-zA-Z0-9_-]{1,64}$, Anthropic ^[a-zA-Z0-9_-]{1,128}$, Gemini a letter or
// underscore first and then letters, digits, `_ . : -`, at most 64 characters. Claude Code names
// MCP tools `mcp__<server>__<tool>`, often past 64; MCP servers name tools `server.tool`. Sent as
// they are, the whole request is refused. A name that does not fit is mapped, deterministically
// (the same name gives the same mapping on every turn, so a call in the history still pairs with
// the tool list), and the upstream's answers are mapped back through the request's own tool list:
// the client only ever sees its own names.
import { createHash } from 'node:crypto';
import type { ApiFamily } from '../../core/index.js';
import type { IrPart, IrRequest, IrResponse, IrStreamEvent } from './ir.js';

interface NameRule { valid: RegExp; invalid: RegExp; max: number }

const RULES: Record<ApiFamily, NameRule> = {
  openai: { valid: /^[a-zA-Z0-9_-]{1,64}$/, invalid: /[^a-zA-Z0-9_-]/g, max: 64 },
  anthropic: { valid: /^[a-zA-Z0-9_-]{1,128}$/, invalid: /[^a-zA-Z0-9_-]/g, max: 128 },
  gemini: { valid: /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/, invalid: /[^a-zA-Z0-9_.:-]/g, max: 64 },
};

/** `name` as `family` accepts it: unchanged when it fits, else its allowed characters cut short plus a hash of the whole. */
export function toolNameFor(name: string, family: ApiFamily): string {
  const rule = RULES[family];
  if (rule.valid.test(name)) return name;
  let base = name.replace(rule.invalid, '_');
  if (family === 'gemini' && !/^[a-zA-Z_]/.test(base)) base = `_${base}`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${base.slice(0, rule.max - hash.length - 1)}_${hash}`;
}

function mapParts(parts: IrPart[], map: (name: string) => string): IrPart[] {
  return parts.map((p) => {
    if (p.type === 'tool_call') return { ...p, name: map(p.name) };
    if (p.type === 'tool_result' && p.name !== undefined) return { ...p, name: map(p.name) };
    return p;
  });
}

/** The request for an upstream of `family`, every tool name it would refuse mapped; the same object when none needs it. */
export function toolNamesFor(request: IrRequest, family: ApiFamily): IrRequest {
  const fits = (name: string) => RULES[family].valid.test(name);
  const choice = request.toolChoice;
  const misfit = request.tools.some((t) => !fits(t.name)) || (typeof choice === 'object' && !fits(choice.name))
    || request.messages.some((m) => m.parts.some((p) => (p.type === 'tool_call' || p.type === 'tool_result') && p.name !== undefined && !fits(p.name)));
  if (!misfit) return request;
  const map = (name: string) => toolNameFor(name, family);
  return {
    ...request,
    tools: request.tools.map((t) => (fits(t.name) ? t : { ...t, name: map(t.name) })),
    ...(typeof choice === 'object' ? { toolChoice: { name: map(choice.name) } } : {}),
    messages: request.messages.map((m) => ({ ...m, parts: mapParts(m.parts, map) })),
  };
}

/** Mapped name → the client's name, for the tools of `request` an upstream of `family` was sent mapped; undefined when none was. */
export function clientToolNames(request: IrRequest, family: ApiFamily): Map<string, string> | undefined {
  let names: Map<string, string> | undefined;
  for (const t of request.tools) {
    const sent = toolNameFor(t.name, family);
    if (sent !== t.name) (names ??= new Map()).set(sent, t.name);
  }
  return names;
}

export function restoreResponseNames(response: IrResponse, names: Map<string, string> | undefined): IrResponse {
  if (!names) return response;
  return { ...response, parts: mapParts(response.parts, (n) => names.get(n) ?? n) };
}

export async function* restoreStreamNames(events: AsyncIterable<IrStreamEvent>, names: Map<string, string>): AsyncGenerator<IrStreamEvent> {
  for await (const ev of events) yield ev.type === 'tool_call_start' && names.has(ev.name) ? { ...ev, name: names.get(ev.name)! } : ev;
}
