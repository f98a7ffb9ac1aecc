// Admin routes plugins mount under /admin: a method + path table with `:name` segments, JSON in and
// out. Not on the data plane's hot path; kept small so plugin authors see typed requests, not koa.
import { GatewayError } from '../errors.js';
import type { AdminHandler, AdminMethod, AdminRequest, AdminResponse, AdminRouteDoc } from '../plugin/host.js';

interface Route {
  method: AdminMethod;
  segments: string[];
  handler: AdminHandler;
  described: DescribedRoute;
}

/** A mounted route as GET /admin/openapi.json describes it. */
export interface DescribedRoute {
  method: AdminMethod;
  /** Relative to /admin, with `:name` segments. */
  path: string;
  /** The plugin that mounted it. */
  plugin: string | undefined;
  doc: AdminRouteDoc | undefined;
}

export interface AdminRoutes {
  add(method: AdminMethod, path: string, handler: AdminHandler, doc?: AdminRouteDoc, plugin?: string): void;
  /** Every mounted route, in mounting order. */
  described(): DescribedRoute[];
  /** The matching route's answer; a 404 / 405 GatewayError when none matches. */
  handle(method: string, path: string, query: Record<string, string>, body: unknown, signal: AbortSignal): Promise<AdminResponse>;
}

const PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/;
const split = (path: string) => path.split('/').filter((s) => s !== '');

export function createAdminRoutes(): AdminRoutes {
  const routes: Route[] = [];
  return {
    add(method, path, handler, doc, plugin) {
      const segments = split(path.startsWith('/admin') ? path.slice('/admin'.length) : path);
      // Caught at setup (so `config validate` catches it too), not at the first request.
      if (!path.startsWith('/')) throw new Error(`admin route "${path}" must start with /`);
      for (const s of segments) {
        if (s.startsWith(':') && !PARAM.test(s.slice(1))) throw new Error(`admin route "${path}" has an invalid parameter "${s}" (use :name)`);
      }
      routes.push({ method, segments, handler, described: { method, path: '/' + segments.join('/'), plugin, doc } });
    },
    described: () => routes.map((r) => r.described),
    async handle(method, path, query, body, signal) {
      const parts = split(path.slice('/admin'.length));
      let allowed: AdminMethod[] = [];
      for (const route of routes) {
        const params = matchSegments(route.segments, parts);
        if (!params) continue;
        if (route.method !== method) { allowed.push(route.method); continue; }
        const request: AdminRequest = { method: route.method, path, params, query, body, signal };
        return route.handler(request);
      }
      allowed = [...new Set(allowed)];
      if (allowed.length) throw new GatewayError('SLUICE_E_METHOD_NOT_ALLOWED', `${path.slice(0, 200)} accepts ${allowed.join(', ')}, not ${method.slice(0, 20)}`);
      throw new GatewayError('SLUICE_E_NOT_FOUND', `no admin route ${method.slice(0, 20)} ${path.slice(0, 200)}`);
    },
  };
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeSegment(parts[i]!);
    else if (p !== parts[i]) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError('SLUICE_E_INVALID_REQUEST', `malformed percent-escape in the path segment "${segment.slice(0, 100)}"`);
  }
}
