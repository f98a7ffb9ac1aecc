// The data-plane endpoint table: which URL speaks which protocol.
import type { Endpoint } from '../exchange.js';
import type { ApiFamily } from '../protocols/types.js';

interface Route { method: 'GET' | 'POST'; endpoint: Endpoint }

const table = new Map<string, Route>();
function add(method: Route['method'], paths: string[], endpoint: Omit<Endpoint, 'id'>): void {
  const full: Endpoint = { id: `${endpoint.family}.${endpoint.operation}`, ...endpoint };
  for (const p of paths) table.set(p, { method, endpoint: full });
}

add('POST', ['/v1/chat/completions', '/chat/completions'], { family: 'openai', operation: 'chat' });
add('POST', ['/v1/embeddings', '/embeddings'], { family: 'openai', operation: 'embeddings' });
add('GET', ['/v1/models', '/models'], { family: 'openai', operation: 'models' });

export type EndpointMatch = { endpoint: Endpoint } | { methodNotAllowed: string } | undefined;

export function matchEndpoint(method: string, path: string): EndpointMatch {
  // Trailing slashes are common in hand-written base URLs; treat /v1/models/ as /v1/models.
  const route = table.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
  if (!route) return undefined;
  if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) return { methodNotAllowed: route.method };
  return { endpoint: route.endpoint };
}

/** Best guess of the client's family from a URL alone (for errors on unknown paths). */
export function familyFromPath(path: string): ApiFamily {
  if (path.startsWith('/anthropic/') || path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/')) return 'gemini';
  return 'openai';
}
