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
// zod, re-exported: plugin options are zod schemas, and \`import { z } from 'sluice'\` gives a plugin
// the very zod the gateway parses and describes them with — also to a plugin file that sits next to
// a config with no node_modules of its own (docs/writing-plugins.md, "Options schema").
export { z } from 'zod';
export { parseOptions, SchemaError, formatPath, isPlainObject } from './schema/schema.js';
export type { Path, Problem } from './schema/schema.js';
export { GatewayError, ERROR_CATALOGUE, errorBody, isGatewayError } from './errors.js';
export type { ErrorCode, GatewayErrorOptions } from './errors.js';
export type { ApiFamily, Operation, Protocol, JsonValue, JsonObject, StreamEvent, Usage } from './protocols/types.js';
export { protocolName, emptyUsage, operationClass, parseProtocolName } from './protocols/types.js';
export type { ProtocolName, OperationClass } from './protocols/types.js';
export type { Logger, LogFields, LogLevel } from './observability/logger.js';
export type { Metrics, Counter, Gauge, Histogram, Labels } from './observability/metrics.js';
export { isObject, asObject, asArray, asString, asNumber, contentText } from './protocols/json.js';
export { decodeSse, encodeSseEvent, SseDecoder } from './protocols/sse.js';
export { usageFrom, mergeUsage } from './protocols/usage.js';
export { clientCredential } from './http/credentials.js';
export { createRequestView, createResponseView } from './protocols/view/index.js';
export type { RequestView, ResponseView, Segment, SegmentKind, ToolCallInfo, ToolResultInfo, ToolEvent } from './protocols/view/index.js';
