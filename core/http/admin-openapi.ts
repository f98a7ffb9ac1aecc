// GET /admin/openapi.json: an OpenAPI 3.1 document of every admin route the plugins mounted, from
// the descriptions they gave `addAdminRoute` — the very zod schemas their routes validate with
// (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits). Core serves it, not one plugin:
// the routes of auth (teams, users, keys), the ledger (usage, audit) and any third party's are one API.
import { z } from '../vendor/zod.js';
import type { AdminRoutes, DescribedRoute } from './admin-routes.js';

type Json = Record<string, unknown>;

export const OPENAPI_PATH = '/openapi.json';

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  try {
    return jsonSchemaOf(schema, io);
  } catch (err) {
    // One plugin's schema zod cannot describe (another zod's, a transform without an output type)
    // must not take the whole document down with it: that route is listed, its schema left open.
    return { description: `schema not describable: ${(err as Error).message.slice(0, 200)}` };
  }
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // Sluice's `expected` hint (for option errors) is no JSON Schema keyword: make it the description.
    override: (ctx) => {
      const node = ctx.jsonSchema as Json;
      if (typeof node['expected'] === 'string') {
        node['description'] ??= `Expected: ${node['expected']}.`;
        delete node['expected'];
      }
    },
  }) as Json;
  delete json['$schema'];
  return json;
}

const errorSchema: Json = {
  type: 'object',
  description: 'A coded error; `param` names the offending field or parameter of a 400.',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'], examples: ['SLUICE_E_INVALID_REQUEST', 'SLUICE_E_NOT_FOUND', 'SLUICE_E_UNAUTHORIZED'] },
      },
      required: ['message', 'type'],
    },
  },
  required: ['error'],
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;
const operationId = (route: DescribedRoute) =>
  `${route.method.toLowerCase()}${route.path.replace(/[/.]:?([A-Za-z0-9_]+)/g, (_, p: string) => p[0]!.toUpperCase() + p.slice(1))}`;

function operation(route: DescribedRoute): Json {
  const doc = route.doc;
  const parameters = [
    ...[...route.path.matchAll(PARAM)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(doc?.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
  ];
  const success: Json = { description: 'OK' };
  if (doc?.response) success['content'] = { 'application/json': { schema: schemaOf(doc.response, 'output') } };
  const op: Json = {
    summary: doc?.summary ?? `Undescribed${route.plugin ? ` (mounted by ${route.plugin})` : ''}`,
    tags: [doc?.tag ?? route.plugin ?? 'admin'],
    operationId: operationId(route),
    responses: {
      [String(doc?.status ?? 200)]: success,
      400: errorResponse('Bad input; `error.param` names the field or parameter'),
      401: errorResponse('Missing or wrong admin key'),
      ...Object.fromEntries(Object.entries(doc?.errors ?? {}).map(([status, description]) => [status, errorResponse(description)])),
    },
  };
  if (route.plugin) op['x-sluice-plugin'] = route.plugin;
  if (parameters.length) op['parameters'] = parameters;
  if (doc?.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(doc.body, 'input') } } };
  return op;
}

export function openApiDocument(routes: readonly DescribedRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    const path = '/admin' + (route.path === '/' ? '' : route.path).replace(PARAM, '{$1}');
    const methods = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (methods[method]) continue; // mounted twice: the first one answers
    const op = operation(route);
    methods[method] = op;
    tags.add((op['tags'] as string[])[0]!);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice admin API',
      version,
      description: 'The routes the plugins in the chain mount under /admin (auth: teams, users, keys; ledger: usage, audit). Authenticate with `Authorization: Bearer <admin.key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ adminKey: [] }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'admin.key from the config' } },
      schemas: { Error: errorSchema },
    },
  };
}

/**
 * Mounts GET /admin/openapi.json before any plugin's route (so it answers whatever a plugin mounts),
 * built on first request, not at start-up: nobody may ever ask, and by then every plugin has mounted.
 */
export function mountOpenApi(admin: AdminRoutes, version: string): void {
  let document: Json | undefined;
  admin.add('GET', OPENAPI_PATH, () => ({ body: (document ??= openApiDocument(admin.described(), version)) }), {
    summary: 'This document', tag: 'meta',
    response: z.object({ openapi: z.string() }).loose().describe('OpenAPI 3.1 document'),
  });
}
