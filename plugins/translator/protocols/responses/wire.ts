// Pieces of the Responses wire format shared by the request, response and stream halves, so the
// JSON response and the terminal stream event are built by the same code and cannot drift apart.
import { asArray, asObject, asString, type JsonObject, type Usage } from '../../../../core/index.js';
import type { IrPart, IrRequest, IrStopReason, IrTool, IrToolChoice } from '../../ir.js';
import { unpackHidden } from '../../hidden-reasoning.js';
import { parseArguments } from '../../util.js';

/**
 * Anthropic `redacted_thinking` has no Responses equivalent. It travels to Responses clients as a
 * reasoning item whose encrypted_content carries this prefix, so when the client (Codex keeps items
 * verbatim) sends it back, the decoder restores the redacted block instead of a bogus signature.
 */
export const REDACTED_PREFIX = 'sluice-redacted:';

export const RESPONSES_PROTOCOL = { family: 'openai', operation: 'responses' } as const;

/** Responses usage: input_tokens counts cached tokens too; Anthropic-style classes are folded in. */
export function usageToWire(u: Usage): JsonObject {
  const input = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheReadTokens },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: input + u.outputTokens,
  };
}

/** Stop reasons that end a Responses turn as `incomplete`, with the wire reason. */
export function incompleteReason(stop: IrStopReason): 'max_output_tokens' | 'content_filter' | undefined {
  if (stop === 'max_tokens') return 'max_output_tokens';
  if (stop === 'content_filter') return 'content_filter';
  return undefined;
}

/** Names of the client's freeform (`custom`) tools: their calls go back as custom_tool_call items. */
export function freeformNames(tools: IrTool[]): Set<string> {
  const out = new Set<string>();
  for (const t of tools) if (t.freeform) out.add(t.name);
  return out;
}

/** The IR name of tool `tool` inside the client's namespace tool `namespace`. */
export function namespacedName(namespace: string, tool: string): string {
  return `${namespace}__${tool}`;
}

/** The client's namespaced tools by IR name: their calls go back with `name` and `namespace` apart. */
export function namespacedTools(tools: IrTool[]): Map<string, { name: string; tool: string }> {
  const out = new Map<string, { name: string; tool: string }>();
  for (const t of tools) if (t.namespace) out.set(t.name, t.namespace);
  return out;
}

/** The raw text of a freeform call, unwrapped from the IR's `{"input": "..."}` arguments. */
export function customInput(args: string): string {
  const input = parseArguments(args)['input'];
  return typeof input === 'string' ? input : args;
}

export function toolToWire(t: IrTool): JsonObject {
  if (t.freeform) {
    const custom: JsonObject = { type: 'custom', name: t.name };
    if (t.description !== undefined) custom['description'] = t.description;
    if (t.freeform.format !== undefined) custom['format'] = t.freeform.format;
    return custom;
  }
  const fn: JsonObject = { type: 'function', name: t.name };
  if (t.description !== undefined) fn['description'] = t.description;
  fn['parameters'] = t.parameters;
  // Responses makes function tools strict unless told otherwise, and schemas written for other
  // protocols rarely satisfy strict mode, so an unspecified strictness is sent as false.
  fn['strict'] = t.strict ?? false;
  return fn;
}

/** `namespaced` (the client's namespaced tools): such a tool is named as the client declared it, inside its namespace. */
export function toolChoiceToWire(choice: IrToolChoice, freeform: Set<string>, namespaced?: Map<string, { name: string; tool: string }>): JsonObject | string {
  if (typeof choice === 'string') return choice;
  return { type: freeform.has(choice.name) ? 'custom' : 'function', name: namespaced?.get(choice.name)?.tool ?? choice.name };
}

/**
 * The IR name of the tool a client's tool_choice names. A tool inside a `namespace` tool is named
 * there as declared (`exec_command`, not `functions__exec_command`): a tool of that name outside any
 * namespace is the one meant, else the first namespaced tool of that name.
 */
export function choiceToolName(name: string, tools: IrTool[]): string {
  if (tools.some((t) => t.name === name && !t.namespace)) return name;
  return tools.find((t) => t.namespace?.tool === name)?.name ?? name;
}

/** System text as the single `instructions` string Responses has. */
export function instructionsText(request: Pick<IrRequest, 'system'>): string | undefined {
  if (request.system.length === 0) return undefined;
  return request.system.map((s) => s.text).join('\n\n');
}

/**
 * A reasoning item (input or output) as IR: its text (the first of `textKeys` that holds any: the
 * summary, else the raw reasoning_text of open-weight models) plus its signature, encrypted_content.
 */
export function reasoningPart(item: JsonObject, textKeys: readonly string[], field = 'encrypted_content'): IrPart | undefined {
  const raw = asString(item[field]);
  if (raw?.startsWith(REDACTED_PREFIX)) return { type: 'redacted_thinking', data: raw.slice(REDACTED_PREFIX.length) };
  // Text the client was not shown comes back inside encrypted_content (hidden-reasoning.ts).
  const hidden = raw === undefined ? undefined : unpackHidden(raw);
  const encrypted = hidden ? hidden.signature : raw;
  const summary = reasoningText(item, textKeys);
  const text = summary === '' && hidden ? hidden.text : summary;
  if (text === '' && encrypted === undefined) return undefined;
  const part: IrPart = { type: 'thinking', text };
  if (encrypted !== undefined) part.signature = encrypted;
  return part;
}

/** The texts of the first list of parts among `keys` that holds any, joined as paragraphs. */
function reasoningText(item: JsonObject, keys: readonly string[]): string {
  for (const key of keys) {
    let text: string | undefined;
    for (const p of asArray(item[key])) {
      const t = asString(asObject(p)?.['text']);
      if (t) text = text === undefined ? t : `${text}\n\n${t}`;
    }
    if (text !== undefined) return text;
  }
  return '';
}
