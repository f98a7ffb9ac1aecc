// The data-plane endpoint table: which URL speaks which protocol. Most paths are fixed; Gemini puts
// the model and the method in the path, and GET /v1/models is shared by three SDKs.
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import type { Endpoint } from '../exchange.js';
import type { ApiFamily, Operation } from '../protocols/types.js';

type Method = 'GET' | 'POST';
interface Route { method: Method; endpoint: Endpoint }

function endpoint(family: ApiFamily, operation: Operation, streamByPath?: boolean): Endpoint {
  return { id: `${family}.${operation}${streamByPath ? '.stream' : ''}`, family, operation, ...(streamByPath ? { streamByPath } : {}) };
}

const fixed = new Map<string, Route>();
function add(method: Method, paths: string[], ep: Endpoint): void {
  for (const p of paths) fixed.set(p, { method, endpoint: ep });
}

const OPENAI_MODELS = endpoint('openai', 'models');
const ANTHROPIC_MODELS = endpoint('anthropic', 'models');
const GEMINI_MODELS = endpoint('gemini', 'models');

add('POST', ['/v1/chat/completions', '/chat/completions', '/v1beta/openai/chat/completions'], endpoint('openai', 'chat'));
add('POST', ['/v1/responses', '/responses'], endpoint('openai', 'responses'));
add('POST', ['/v1/embeddings', '/embeddings', '/v1beta/openai/embeddings'], endpoint('openai', 'embeddings'));
add('GET', ['/v1/models', '/models', '/v1beta/openai/models'], OPENAI_MODELS);
add('POST', ['/v1/messages', '/anthropic/v1/messages'], endpoint('anthropic', 'messages'));
add('POST', ['/v1/messages/count_tokens', '/anthropic/v1/messages/count_tokens'], endpoint('anthropic', 'count_tokens'));
add('GET', ['/anthropic/v1/models'], ANTHROPIC_MODELS);
add('GET', ['/v1beta/models', '/v1alpha/models'], GEMINI_MODELS);

/** Every fixed path and its method (tests walk it so a new endpoint is fuzzed without being listed twice). */
export function fixedRoutes(): { method: Method; path: string; endpoint: Endpoint }[] {
  return [...fixed].map(([path, route]) => ({ path, ...route }));
}

/** Gemini methods: `/v1beta/models/{model}:{method}` (and `/v1/…`, which @google/genai 3.x uses). */
export const GEMINI_METHODS: Readonly<Record<string, Endpoint>> = {
  generateContent: endpoint('gemini', 'generate'),
  streamGenerateContent: endpoint('gemini', 'generate', true),
  countTokens: endpoint('gemini', 'count_tokens'),
  embedContent: endpoint('gemini', 'embed'),
  batchEmbedContents: endpoint('gemini', 'embed'),
};
/**
 * streamGenerateContent without `alt=sse` (curl and REST clients following Google's docs, `alt=json`):
 * Google answers one JSON array, not SSE. The same endpoint (id, protocol) otherwise: only the
 * bytes written to the client differ, the upstream is still asked for SSE.
 */
const GEMINI_STREAM_AS_ARRAY: Endpoint = { ...GEMINI_METHODS['streamGenerateContent']!, streamFraming: 'json-array' };
/**
 * `models/{model}` or a tuned model's `tunedModels/{id}` (the Gemini SDK sends a model named
 * `tunedModels/…` under that collection, not under `models/`).
 */
const GEMINI_PATH = /^\/(?:v1beta|v1|v1alpha)\/(models|tunedModels)\/([^/:]+(?:\/[^/:]+)*?):([A-Za-z]+)$/;
/** `GET /v1/models/{id}` (one model) in every family's spelling. */
const MODEL_PATH = /^\/(?:anthropic\/)?(v1beta|v1alpha|v1|v1beta\/openai)\/models\/(.+)$/;

export interface EndpointRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  query: Record<string, string | string[] | undefined>;
}

export type EndpointMatch =
  | { endpoint: Endpoint; pathModel?: string }
  | { methodNotAllowed: Method }
  | undefined;

/** Throws a 400 GatewayError when a path parameter has a malformed %-escape. */
export function matchEndpoint(req: EndpointRequest): EndpointMatch {
  // Trailing slashes are common in hand-written base URLs; treat /v1/models/ as /v1/models.
  const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
  const route = fixed.get(path);
  if (route) {
    if (!methodFits(route.method, req.method)) return { methodNotAllowed: route.method };
    if (route.endpoint === OPENAI_MODELS && path === '/v1/models') return { endpoint: modelsListFor(req) };
    return { endpoint: route.endpoint };
  }
  const gemini = GEMINI_PATH.exec(path);
  const ep = gemini ? GEMINI_METHODS[gemini[3]!] : undefined;
  // Only a known Gemini method makes it a Gemini call: `ft:gpt-4o:acme::id` is a model id with colons.
  if (gemini && ep) {
    if (!methodFits('POST', req.method)) return { methodNotAllowed: 'POST' };
    const framed = ep.streamByPath === true && !asksForSse(req.query) ? GEMINI_STREAM_AS_ARRAY : ep;
    // A tuned model keeps its collection in its name, so routes can match `tunedModels/*` and the
    // gemini provider sends it back to the same collection.
    const id = decodePathParam(gemini[2]!);
    return { endpoint: framed, pathModel: gemini[1] === 'tunedModels' ? `tunedModels/${id}` : id.replace(/^models\//, '') };
  }
  if (gemini && req.method === 'POST') return undefined; // an unknown Gemini method, not a model lookup
  const one = MODEL_PATH.exec(path);
  if (one) {
    if (!methodFits('GET', req.method)) return { methodNotAllowed: 'GET' };
    const ep = path.startsWith('/anthropic/') ? ANTHROPIC_MODELS : one[1] === 'v1beta' || one[1] === 'v1alpha' ? GEMINI_MODELS : modelsListFor(req);
    return { endpoint: ep, pathModel: decodePathParam(one[2]!) };
  }
  return undefined;
}

/**
 * Google's system parameter `alt` (also spelled `$alt`): `sse` asks for Server-Sent Events; `json`,
 * none, or any other value gets the default JSON array.
 */
function asksForSse(query: EndpointRequest['query']): boolean {
  return query['alt'] === 'sse' || query['$alt'] === 'sse';
}

function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A client's typo, not a gateway failure (koa would answer a plain-text 500).
    throw new GatewayError('SLUICE_E_INVALID_REQUEST', `the path has a malformed %-escape: ${raw.slice(0, 100)}`);
  }
}

function methodFits(route: Method, method: string): boolean {
  return route === method || (route === 'GET' && method === 'HEAD');
}

/**
 * `GET /v1/models` is sent by the OpenAI, Anthropic and (3.x) Gemini SDKs alike; each expects its
 * own list shape. The Gemini SDK always sends `x-goog-api-key` (or `?key=`), the Anthropic SDKs
 * always send `anthropic-version`; anything else is OpenAI.
 */
function modelsListFor(req: EndpointRequest): Endpoint {
  if (req.headers['x-goog-api-key'] !== undefined || req.query['key'] !== undefined) return GEMINI_MODELS;
  if (req.headers['anthropic-version'] !== undefined) return ANTHROPIC_MODELS;
  return OPENAI_MODELS;
}

/** Best guess of the client's family from a URL alone (for errors on unknown paths). */
export function familyFromPath(path: string): ApiFamily {
  if (path.startsWith('/anthropic/') || path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/openai/')) return 'openai';
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/') || GEMINI_PATH.test(path)) return 'gemini';
  return 'openai';
}

/**
 * Paths only OpenAI's API has: a wrong method there comes from an OpenAI client even when it also
 * sends another SDK's header (gateways and proxies in front often add `anthropic-version` or
 * `x-goog-api-key` to everything), so the headers must not pick the envelope.
 */
const OPENAI_ONLY_PATH = /^\/(?:v1\/)?(?:chat\/completions|responses|embeddings)(?:\/|$)/;

/**
 * The envelope for a request that matched no endpoint: its path's family where the path names one,
 * else the SDK its headers give away (as for the model lists: the Anthropic SDKs always send
 * `anthropic-version`, the Gemini SDK `x-goog-api-key`), else OpenAI's.
 */
export function familyOfUnmatched(path: string, headers: Readonly<Record<string, string | string[] | undefined>>): ApiFamily {
  const byPath = familyFromPath(path);
  if (byPath !== 'openai' || path.startsWith('/v1beta/openai/') || OPENAI_ONLY_PATH.test(path)) return byPath;
  if (headers['anthropic-version'] !== undefined) return 'anthropic';
  if (headers['x-goog-api-key'] !== undefined) return 'gemini';
  return 'openai';
}
