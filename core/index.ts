// Sluice's one public entry point. Built-in and third-party plugins import only from here.
export { SLUICE_VERSION } from './version.js';
export { definePlugin, isPluginDefinition } from './plugin/contract.js';
export type {
  PluginDefinition, PluginInstance, PluginMiddleware, PluginCommand, CommandIO, SluiceContext, SluiceState,
} from './plugin/contract.js';
export type { Host, ProviderRegistry, AdminMethod } from './plugin/host.js';
export type {
  Exchange, Endpoint, Principal, Target, UpstreamRequest, GatewayResponse, JsonResponse, StreamResponse,
  Completion, Outcome, Finding, Attempt,
} from './exchange.js';
export type { Provider, SendContext } from './providers/provider.js';
export { t, SchemaError, formatPath, isPlainObject } from './schema/schema.js';
export type { Schema, Infer, Path } from './schema/schema.js';
export { GatewayError, ERROR_CATALOGUE, errorBody, isGatewayError } from './errors.js';
export type { ErrorCode, GatewayErrorOptions } from './errors.js';
export type { ApiFamily, Operation, Protocol, JsonValue, JsonObject, StreamEvent, Usage } from './protocols/types.js';
export { protocolName, emptyUsage, operationClass, parseProtocolName } from './protocols/types.js';
export type { ProtocolName, OperationClass } from './protocols/types.js';
export type { Logger, LogFields, LogLevel } from './observability/logger.js';
export type { Metrics, Counter, Gauge, Histogram, Labels, MetricOptions, HistogramOptions } from './observability/metrics.js';
export { isObject, asObject, asArray, asString, asNumber, contentText } from './protocols/json.js';
export { decodeSse, encodeSseEvent, SseDecoder } from './protocols/sse.js';
export { usageFrom, mergeUsage } from './protocols/usage.js';
export { clientCredential } from './http/credentials.js';
