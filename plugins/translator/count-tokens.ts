// Token counts (Anthropic count_tokens, Gemini countTokens). A provider with its own count endpoint
// counts for real, across families if need be; otherwise Sluice estimates and says so in a header.
import { asObject, protocolName, type Exchange, type JsonObject, type JsonValue, type Target, type UpstreamRequest } from '../../core/index.js';
import { codecFor } from './codecs.js';
import { camelCaseCountRequest } from './protocols/gemini/camel-case.js';
import type { IrRequest } from './ir.js';
import { resolvePassthroughSignatures } from './passthrough-signatures.js';
import { toolNamesFor } from './tool-names.js';
import { estimateTokens } from './util.js';

/** Fields Anthropic's count_tokens accepts (it rejects max_tokens, stream, …). */
const ANTHROPIC_COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

/**
 * The count request in the IR. Without the walk that names every dropped field (`listDrops`): a count
 * logs none, and Claude Code counts its whole history and tool list before many turns.
 */
function decodeCountRequest(exchange: Exchange): IrRequest {
  const model = exchange.model ?? '';
  if (exchange.endpoint.family === 'anthropic') return codecFor('anthropic.messages')!.decodeRequest(exchange.readRequest(), model, false, false);
  // Gemini accepts either bare `contents` or a whole `generateContentRequest` (either spelling).
  const body = camelCaseCountRequest(exchange.readRequest());
  const inner = asObject(body['generateContentRequest']) ?? body;
  return codecFor('gemini.generate')!.decodeRequest(inner, model, false, false);
}

function countBody(family: 'anthropic' | 'gemini', tokens: number): JsonObject {
  return family === 'anthropic' ? { input_tokens: tokens } : { totalTokens: tokens };
}

export function translateCount(exchange: Exchange): () => void {
  const family = exchange.endpoint.family === 'anthropic' ? 'anthropic' : 'gemini';
  const target = exchange.target!;
  const native = target.provider.protocols.includes(protocolName(target.protocol));
  if (!native) {
    exchange.responseHeaders['x-sluice-token-count'] = 'estimated';
    exchange.response = { kind: 'json', status: 200, headers: {}, protocol: exchange.endpoint, body: countBody(family, estimateTokens(decodeCountRequest(exchange))) };
    return () => {};
  }
  exchange.translate = (t: Target): UpstreamRequest | undefined => {
    if (t.protocol.family === exchange.endpoint.family) {
      // Claude Code counts whole conversations: tool ids another provider minted must fit Anthropic's
      // pattern here too, and tagged signatures must not reach it (passthrough-signatures.ts).
      const resolved = family === 'anthropic' ? resolvePassthroughSignatures(exchange.view()) : undefined;
      if (resolved) exchange.request = resolved;
      return undefined;
    }
    const ir = toolNamesFor({ ...decodeCountRequest(exchange), model: t.model }, t.protocol.family);
    if (t.protocol.family === 'anthropic') {
      const full = codecFor('anthropic.messages')!.encodeRequest(ir);
      const body: JsonObject = {};
      for (const k of ANTHROPIC_COUNT_FIELDS) if (full[k] !== undefined) body[k] = full[k]!;
      return { protocol: t.protocol, body, stream: false, model: t.model };
    }
    const inner = codecFor('gemini.generate')!.encodeRequest(ir);
    return { protocol: t.protocol, body: { generateContentRequest: { model: `models/${t.model}`, ...inner } }, stream: false, model: t.model };
  };
  return () => {
    const response = exchange.response;
    if (!response || response.kind !== 'json' || response.protocol.family === exchange.endpoint.family) return;
    const body = asObject(response.body as JsonValue);
    const tokens = Number(body?.['input_tokens'] ?? body?.['totalTokens'] ?? 0);
    exchange.response = { ...response, protocol: exchange.endpoint, body: countBody(family, tokens) };
  };
}
