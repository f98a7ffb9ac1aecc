// A network-free harness for plugin authors (`import { runPlugin } from 'sluice/testing'`): runs a
// plugin's middleware on a synthetic exchange, then Sluice's own dispatch against a scripted
// upstream, and hands back what the client would get and what the upstream saw — like fastify's
// inject(). The same exchange, views, replies and errors as a running gateway; no sockets.
import { createGatewayEvents } from '../events/event-bus.js';
import { errorBody, registerErrorCodes, toGatewayError } from '../errors.js';
import type { Completion, Exchange, GatewayResponse, UpstreamRequest } from '../exchange.js';
import { dispatch } from '../http/dispatch.js';
import { addStreamHeaders, errorHeaders, exchangeHead, JSON_CONTENT_TYPE, type Head } from '../http/egress.js';
import { streamFramer } from '../http/stream-framing.js';
import { isUntouchedStream } from '../protocols/raw-json.js';
import { HttpExchange } from '../http/exchange-impl.js';
import { sessionIdFrom } from '../http/session.js';
import { matchEndpoint } from '../http/endpoints.js';
import { outcomeFor } from '../http/request-log.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { namedPrincipal } from '../plugin/authenticated.js';
import { composeChain } from '../plugin/compose.js';
import type { PluginDefinition, PluginInstance } from '../plugin/contract.js';
import type { AdminHandler, Host } from '../plugin/host.js';
import { createPriceTable } from '../pricing/price-table.js';
import { parseProtocolName, protocolName, type JsonObject, type JsonValue, type ProtocolName, type StreamEvent } from '../protocols/types.js';
import type { Provider } from '../providers/provider.js';
import { createProviderRegistry } from '../providers/registry.js';
import { parseOptions } from '../schema/schema.js';
import { openDatabase } from '../storage/database.js';
import { migrateLatest } from '../storage/migrations.js';
import type { Knex } from 'knex';

/** What the scripted upstream answers: a JSON body, a list of stream events, or a function. */
export type ScriptedAnswer =
  | { json: JsonValue; status?: number }
  | { events: StreamEvent[] }
  | ((request: UpstreamRequest) => GatewayResponse | Promise<GatewayResponse>);

export interface RunOptions<O> {
  /** The plugin's options as YAML would give them (validated by its schema). */
  options?: unknown;
  /** The client's path, e.g. `/v1/chat/completions` or `/v1beta/models/gemini-2.5-pro:generateContent`. */
  path: string;
  body: JsonObject;
  headers?: Record<string, string>;
  /** What the upstream answers (it speaks the client's protocol). Default: an error if it is called. */
  upstream?: ScriptedAnswer;
  /** Replace host services (database, redis, logger…) for the plugin under test. */
  host?: Partial<Host>;
  /** Reuse a plugin instance across runs (state kept between requests); default: set up afresh. */
  instance?: PluginInstance<O>;
}

export interface RunResult {
  status: number;
  /**
   * The response headers the client gets, names in lower case: the response's own, those plugins
   * added (`exchange.responseHeaders`), `x-request-id`, `content-type`, and on failure the error's
   * (`x-sluice-error-code`, `retry-after`…) — what a gateway writes, less what Node adds for the
   * connection (`content-length`, `date`, `connection`).
   */
  headers: Record<string, string>;
  /** The JSON body the client gets (an error envelope in its protocol on failure). */
  json: JsonValue | undefined;
  /** The stream events the client gets, in order, for streamed answers. */
  events: StreamEvent[] | undefined;
  /** Every request the scripted upstream received. */
  upstreamRequests: UpstreamRequest[];
  exchange: Exchange;
  completion: Pick<Completion, 'outcome' | 'status'>;
  /** Admin routes the plugin mounted, callable directly. */
  adminRoutes: Map<string, AdminHandler>;
}

/**
 * An in-memory SQLite database with the plugins' migrations applied by the gateway's own migrator,
 * for a plugin whose tables a test needs: `runPlugin(p, { host: { database: async () => db }, … })`.
 * Each call is a database of its own; `await db.destroy()` when done.
 */
export async function testDatabase(...plugins: readonly Pick<PluginDefinition<unknown>, 'name' | 'migrations'>[]): Promise<Knex> {
  const db = openDatabase('sqlite::memory:', process.cwd());
  await migrateLatest(db, plugins.map((p) => ({ plugin: p.name, migrations: p.migrations ?? [] })));
  return db;
}

/** A Host with in-memory everything: loopback-free, no database unless you pass one. */
export function createTestHost(overrides: Partial<Host> = {}): Host & { adminRoutes: Map<string, AdminHandler> } {
  const adminRoutes = new Map<string, AdminHandler>();
  const base: Host = {
    version: 'test', configDir: process.cwd(), config: { providers: {}, chain: [] } as unknown as Host['config'],
    logger: createLogger({ level: 'silent' }), metrics: createMetrics(), providers: createProviderRegistry({}),
    database: () => Promise.reject(new Error('no database in this test host: pass host.database')),
    redis: () => undefined, pricing: createPriceTable(), http: undefined as unknown as Host['http'],
    addAdminRoute: (method, path, handler) => { adminRoutes.set(`${method} ${path}`, handler); },
    addReadinessCheck: () => {},
    isTrustedProxy: () => false,
    events: createGatewayEvents((type, err) => { console.error(`sluice/testing: a listener of ${type} threw: ${err.message}`); }),
  };
  return { ...base, ...overrides, adminRoutes };
}

export async function runPlugin<O>(plugin: PluginDefinition<O>, run: RunOptions<O>): Promise<RunResult> {
  // Names in lower case, as Node hands a gateway a request's headers.
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(run.headers ?? {})) requestHeaders[name.toLowerCase()] = value;
  const match = matchEndpoint({ method: 'POST', path: run.path, headers: requestHeaders, query: {} });
  if (!match || 'methodNotAllowed' in match) throw new Error(`runPlugin: ${run.path} is not a Sluice endpoint`);
  const endpoint = match.endpoint;
  // The plugin's own error codes render as they would in a gateway (status, class per family, outcome).
  if (plugin.errors) registerErrorCodes(plugin.name, plugin.errors);
  const host = createTestHost(run.host);
  const instance = run.instance ?? await plugin.setup!(parseOptions(plugin.options, run.options ?? {}), host);
  const upstreamRequests: UpstreamRequest[] = [];
  const provider = scriptedProvider(protocolName(endpoint), run.upstream, upstreamRequests);
  const body = run.body;
  const model = match.pathModel ?? (typeof body['model'] === 'string' ? body['model'] : 'test-model');
  const exchange = new HttpExchange({
    id: 'req_test', endpoint, receivedAt: performance.now(), headers: requestHeaders, query: {}, peerAddress: '127.0.0.1',
    clientAddress: '127.0.0.1', sessionId: sessionIdFrom(requestHeaders, body), signal: new AbortController().signal, request: body,
    bytes: Buffer.from(JSON.stringify(body)), model, stream: endpoint.streamByPath === true || body['stream'] === true,
  });
  const routeToScript = async (ctx: { exchange: Exchange }, next: () => Promise<void>) => {
    ctx.exchange.target ??= { provider, model, protocol: endpoint };
    await next();
  };
  const chain = composeChain([
    ...(instance.middleware ? [{ name: plugin.name, middleware: instance.middleware }] : []),
    { name: 'test-route', middleware: routeToScript },
  ], true);
  let status = 200;
  let head: Head = {};
  let json: JsonValue | undefined;
  let events: StreamEvent[] | undefined;
  let failure: ReturnType<typeof toGatewayError> | undefined;
  try {
    // As in a gateway: the plugin's authentication on the request's head, before its chain, failing
    // closed as the gateway does when it names nobody (authenticated.ts).
    if (instance.authenticate) {
      exchange.principal = namedPrincipal(await instance.authenticate({ id: exchange.id, headers: exchange.headers, query: exchange.query, peerAddress: exchange.peerAddress, clientAddress: exchange.clientAddress, family: endpoint.family }));
    }
    await chain({ exchange }, () => dispatch(exchange, { holdMs: 1000 }));
    const response = exchange.response!;
    status = response.status;
    // Built by egress's own functions, in its order, so the harness cannot drift from the gateway.
    head = exchangeHead(exchange.id, exchange, response.headers);
    if (response.kind === 'json') {
      head['content-type'] = JSON_CONTENT_TYPE;
      json = response.body;
    } else {
      addStreamHeaders(head, streamFramer(endpoint.streamFraming, response.protocol, isUntouchedStream(response.events)).contentType);
      events = [];
      for await (const ev of response.events) events.push(ev);
    }
  } catch (err) {
    failure = toGatewayError(err);
    status = failure.statusFor(endpoint.family);
    json = errorBody(failure, endpoint.family);
    // As the gateway answers a failure: the exchange's headers, then the error's, then JSON's type.
    head = { ...exchangeHead(exchange.id, exchange, {}), ...errorHeaders(failure, exchange.responseHeaders), 'content-type': JSON_CONTENT_TYPE };
  }
  const headers: Record<string, string> = {};
  for (const name in head) headers[name] = String(head[name]);
  const outcome = !failure && exchange.outcome ? exchange.outcome : outcomeFor(failure, status, false);
  exchange.complete({ outcome, status, usage: exchange.usage, error: failure, firstByteMs: 0, totalMs: 0 });
  return { status, headers, json, events, upstreamRequests, exchange, completion: { outcome, status }, adminRoutes: host.adminRoutes };
}

function scriptedProvider(protocol: ProtocolName, answer: ScriptedAnswer | undefined, seen: UpstreamRequest[]): Provider {
  return {
    name: 'scripted', type: 'scripted', protocols: [protocol], models: [],
    async send(request) {
      seen.push(request);
      if (!answer) throw new Error('the scripted upstream was called, but the test gave it no answer');
      if (typeof answer === 'function') return answer(request);
      const p = parseProtocolName(protocol);
      if ('events' in answer) {
        const list = answer.events.map((e) => structuredClone(e));
        return { kind: 'stream', status: 200, headers: {}, protocol: p, events: (async function* () { yield* list; })() };
      }
      return { kind: 'json', status: answer.status ?? 200, headers: {}, protocol: p, body: structuredClone(answer.json) };
    },
    close: async () => {},
  };
}
