// GET /admin/openapi.json: an OpenAPI 3.1 document generated from the very zod schemas the admin
// API validates with (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits).
import { z } from '../../core/index.js';
import type { AdminRouteSpec } from './admin-api.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
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
  description: 'A coded error; `param` names the offending field of a 400.',
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

export function openApiDocument(routes: readonly AdminRouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = '/admin' + route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(route.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
    ];
    const operation: Json = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\/:?([a-z_]+)/gi, (_, p: string) => p[0]!.toUpperCase() + p.slice(1))}`,
      responses: {
        [String(route.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: schemaOf(route.response, 'output') } } },
        400: errorResponse('Bad input; `error.param` names the field'),
        401: errorResponse('Missing or wrong admin key'),
        ...(parameters.some((p) => p.in === 'path') || route.body ? { 404: errorResponse('No such team, user or key') } : {}),
        ...(route.method === 'POST' || route.method === 'PATCH' ? { 409: errorResponse('Already exists, or a revoked key cannot change') } : {}),
      },
    };
    if (parameters.length) operation['parameters'] = parameters;
    if (route.body) operation['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  paths['/admin/openapi.json'] = {
    get: { summary: 'This document', tags: ['meta'], operationId: 'getOpenapi', responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice admin API: identity',
      version,
      description: 'Teams, users and API keys. Authenticate with `Authorization: Bearer <admin.key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ adminKey: [] }],
    tags: [{ name: 'teams' }, { name: 'users' }, { name: 'keys' }, { name: 'meta' }],
    paths,
    components: {
      securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'admin.key from the config' } },
      schemas: { Error: errorSchema },
    },
  };
}
