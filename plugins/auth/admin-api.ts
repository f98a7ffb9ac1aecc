// The admin API for teams, users and keys under /admin (core checks the admin key first). One
// table drives both the routes and their description in GET /admin/openapi.json (core's), so the
// document cannot drift.
import { GatewayError, z, type AdminMethod, type AdminRequest, type AdminResponse, type AdminRouteDoc, type Host } from '../../core/index.js';
import type { IdentityService } from './identity-service.js';
import { keyCreate, keyUpdate, parseInput, teamCreate, teamUpdate, userCreate, userUpdate } from './inputs.js';
import { createdKeyView, keyView, teamView, userView } from './views.js';

export interface AdminRouteSpec {
  method: AdminMethod;
  /** Relative to /admin, with `:name` segments. */
  path: string;
  summary: string;
  /** Query parameters (all optional strings). */
  query?: Record<string, string>;
  body?: z.ZodType;
  /** Success status (default 200) and body schema. */
  status?: number;
  response: z.ZodType;
  tag: 'teams' | 'users' | 'keys';
  handle(request: AdminRequest): Promise<unknown>;
}

const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
const param = (request: AdminRequest, name: string) => request.params[name]!;
const queryValue = (request: AdminRequest, name: string): string | undefined => {
  const v = request.query[name];
  return v === undefined || v === '' ? undefined : v;
};

export function adminRoutes(service: IdentityService): AdminRouteSpec[] {
  return [
    { tag: 'teams', method: 'GET', path: '/teams', summary: 'List teams', response: list(teamView), handle: async () => ({ data: await service.listTeams() }) },
    { tag: 'teams', method: 'POST', path: '/teams', summary: 'Create a team', body: teamCreate, status: 201, response: teamView, handle: (r) => service.addTeam(parseInput(teamCreate, r.body)) },
    { tag: 'teams', method: 'GET', path: '/teams/:name', summary: 'Show a team', response: teamView, handle: (r) => service.getTeam(param(r, 'name')) },
    { tag: 'teams', method: 'PATCH', path: '/teams/:name', summary: 'Rename a team', body: teamUpdate, response: teamView, handle: (r) => service.updateTeam(param(r, 'name'), parseInput(teamUpdate, r.body)) },
    { tag: 'teams', method: 'POST', path: '/teams/:name/disable', summary: 'Disable a team: every key acting for it fails', response: teamView, handle: (r) => service.setTeamDisabled(param(r, 'name'), true) },
    { tag: 'teams', method: 'POST', path: '/teams/:name/enable', summary: 'Enable a disabled team', response: teamView, handle: (r) => service.setTeamDisabled(param(r, 'name'), false) },

    { tag: 'users', method: 'GET', path: '/users', summary: 'List users', query: { team: 'Only the members of this team' }, response: list(userView), handle: async (r) => ({ data: await service.listUsers(withOptional('team', queryValue(r, 'team'))) }) },
    { tag: 'users', method: 'POST', path: '/users', summary: 'Create a user', body: userCreate, status: 201, response: userView, handle: (r) => service.addUser(parseInput(userCreate, r.body)) },
    { tag: 'users', method: 'GET', path: '/users/:name', summary: 'Show a user', response: userView, handle: (r) => service.getUser(param(r, 'name')) },
    { tag: 'users', method: 'PATCH', path: '/users/:name', summary: 'Change a user\'s team or e-mail', body: userUpdate, response: userView, handle: (r) => service.updateUser(param(r, 'name'), parseInput(userUpdate, r.body)) },
    { tag: 'users', method: 'POST', path: '/users/:name/disable', summary: 'Disable a user: all their keys fail at once', response: userView, handle: (r) => service.setUserDisabled(param(r, 'name'), true) },
    { tag: 'users', method: 'POST', path: '/users/:name/enable', summary: 'Enable a disabled user', response: userView, handle: (r) => service.setUserDisabled(param(r, 'name'), false) },

    { tag: 'keys', method: 'GET', path: '/keys', summary: 'List keys (never the keys themselves)', query: { user: 'Only this user\'s keys' }, response: list(keyView), handle: async (r) => ({ data: await service.listKeys(withOptional('user', queryValue(r, 'user'))) }) },
    { tag: 'keys', method: 'POST', path: '/keys', summary: 'Create a key; the response carries it this once', body: keyCreate, status: 201, response: createdKeyView, handle: (r) => service.createKey(parseInput(keyCreate, r.body)) },
    { tag: 'keys', method: 'GET', path: '/keys/:id', summary: 'Show a key', response: keyView, handle: (r) => service.getKey(param(r, 'id')) },
    { tag: 'keys', method: 'PATCH', path: '/keys/:id', summary: 'Change a key\'s label, team, models, expiry, limits or budget (null clears)', body: keyUpdate, response: keyView, handle: (r) => service.updateKey(param(r, 'id'), parseInput(keyUpdate, r.body)) },
    { tag: 'keys', method: 'POST', path: '/keys/:id/revoke', summary: 'Revoke a key, at once and for good', response: keyView, handle: (r) => service.revokeKey(param(r, 'id')) },
  ];
}

function withOptional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : { [name]: value } as Record<K, string>;
}

/** The route's description: its errors beyond a bad input and a missing admin key, by its shape. */
function docOf(route: AdminRouteSpec): AdminRouteDoc {
  const errors: Record<number, string> = {};
  if (route.path.includes('/:') || route.body) errors[404] = 'No such team, user or key';
  if (route.method === 'POST' || route.method === 'PATCH') errors[409] = 'Already exists, or a revoked key cannot change';
  return {
    summary: route.summary, tag: route.tag, response: route.response, errors,
    ...(route.query ? { query: route.query } : {}), ...(route.body ? { body: route.body } : {}), ...(route.status ? { status: route.status } : {}),
  };
}

export function registerAdminApi(host: Host, service: IdentityService): void {
  const routes = adminRoutes(service);
  for (const route of routes) {
    const known = Object.keys(route.query ?? {});
    host.addAdminRoute(route.method, route.path, async (request): Promise<AdminResponse> => {
      // A misspelt filter (`?tema=eng`) would otherwise be ignored and list everyone: a 400 naming it.
      const unknown = Object.keys(request.query).find((name) => !known.includes(name));
      if (unknown !== undefined) {
        const name = unknown.slice(0, 40);
        throw new GatewayError('SLUICE_E_INVALID_REQUEST', `${name}: unknown parameter${known.length ? ` (known: ${known.join(', ')})` : ''}`, { param: name });
      }
      return { status: route.status ?? 200, body: await route.handle(request) };
    }, docOf(route));
  }
}
