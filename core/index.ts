// Sluice's one public entry point. Built-in and third-party plugins import only from here.
export { SLUICE_VERSION } from './version.js';

// The plugin contract.
export { definePlugin, isPluginDefinition } from './plugin/contract.js';
export { importOwn } from './import-own.js';
export type { PluginDefinition, PluginInstance, PluginMiddleware, PluginCommand, CommandIO, SluiceContext, Next, ArrivingRequest, Authenticate, ReloadContext } from './plugin/contract.js';
export type { Host, CommandHost, ReadinessOptions, ProviderRegistry, AdminMethod, AdminHandler, AdminRequest, AdminResponse, AdminRouteDoc } from './plugin/host.js';
export type { RequestRecord } from './plugin/request-record.js';
export type { GatewayEvent, GatewayEvents, GatewayEventListener } from './events/event-bus.js';
export type {
  Exchange, Endpoint, StreamFraming, Principal, Target, UpstreamRequest, GatewayResponse, JsonResponse, StreamResponse,
  Completion, Outcome, Finding, FindingAction, Attempt, StateKey,
} from './exchange.js';
export { stateKey } from './exchange.js';
export type { Reply, ReplyToolCall } from './replies/reply.js';

// Options schemas. zod, re-exported: plugin options are zod schemas, and `import { z } from 'sluice'`
// gives a plugin the very zod the gateway parses and describes them with — also to a plugin file that
// sits next to a config with no node_modules of its own (docs/writing-plugins.md, "Options schema").
export { z } from './vendor/zod.js';
export { parseOptions, SchemaError, formatPath, isPlainObject } from './schema/schema.js';
export type { Path, Problem } from './schema/schema.js';

// Errors.
export { GatewayError, ERROR_CATALOGUE, errorBody, isGatewayError, isProviderFailure, registerErrorCodes } from './errors.js';
export type { ErrorCode, ErrorSpec, GatewayErrorOptions } from './errors.js';
export { OptionError } from './plugin/option-error.js';

// Protocols: wire vocabulary, the protocol view, SSE, usage, tokens, prices.
export type { ApiFamily, Operation, Protocol, JsonValue, JsonObject, StreamEvent, Usage } from './protocols/types.js';
export { protocolName, emptyUsage, operationClass, parseProtocolName } from './protocols/types.js';
export type { ProtocolName, OperationClass } from './protocols/types.js';
export { isObject, asObject, asArray, asString, asNumber, contentText } from './protocols/json.js';
export { withFields } from './protocols/with-fields.js';
export { canonicalJson, canonicalArguments } from './protocols/canonical-json.js';
export { compileGlob } from './glob.js';
export type { GlobMatcher } from './glob.js';
export {
  createRequestView, createResponseView, transformResponseBody, transformStream,
  readMessagesSystem, readMessagesTurn, readMessagesBlock, messagesDelta, responsesDelta, responsesDone, NO_PATH, readChatMessage, readResponsesItem, responsesItemType,
  readGenerateSystem, readGenerateContent, readGeneratePart, functionResponseIsError, functionResponseValue, plainChatTexts, plainChatAnswer,
} from './protocols/view/index.js';
export type {
  SegmentKind, BodyPath, Segment, ToolCallInfo, ToolResultInfo, ToolEvent, SignatureInfo, UnreadableField, RequestView, ResponseView, Channel, DeltaTransform,
  RequestSink, ArgumentsForm, BodyContainer, MessagesDelta, ResponsesDelta,
} from './protocols/view/index.js';
export { encodeSseEvent, SseDecoder } from './protocols/sse.js';
export { decodeSse } from './protocols/sse-events.js';
export { observeStream } from './protocols/observe-stream.js';
export type { StreamObserver } from './protocols/observe-stream.js';
export { streamTextReader } from './protocols/stream-text.js';
export type { StreamTextReader, StreamTextSink } from './protocols/stream-text.js';
export { meterStreamText, streamTextMeter, cutStreamUsage, abandonedCallUsage } from './protocols/stream-meter.js';
export type { StreamTextMeter } from './protocols/stream-meter.js';
export { usageFrom, mergeUsage } from './protocols/usage.js';
export { estimateTokens, estimateTokensOfLength, estimateRequestTokens, requestTokenIds } from './protocols/estimate.js';
export { streamError } from './protocols/stream-phase.js';
export { createPriceTable } from './pricing/price-table.js';
export type { PriceTable, TokenPrices, LongContextPrices, Cost } from './pricing/price-table.js';
export { DEFAULT_PRICES, PRICES_AS_OF } from './pricing/default-prices.js';

// Providers: the contract, and the HTTP machinery for provider types plugins add.
export type { Provider, ProviderOffer, SendContext } from './providers/provider.js';
export type { ProviderFactory } from './providers/registry.js';
export { HttpUpstream, upstreamHttpError } from './providers/http-upstream.js';
export { retryAfterMs } from './http/retry-after.js';
export type { WireRequest } from './providers/http-upstream.js';
export { HttpProvider } from './providers/http-provider.js';
export type { ProviderConfig, ProviderInput } from './config/schema.js';
export { cidr } from './config/schema.js';
/** Whether an IP address is this machine, a private network, link-local or otherwise not the public internet (where another party's URLs may not lead). */
export { isInternalAddress } from './http/internal-address.js';
/** A URL with its password and credential-carrying query parameters masked, for a terminal or a log line. */
export { maskUrl } from './storage/connection-error.js';

// Storage.
export type { Migration } from './storage/migrations.js';
export { isSqlite } from './storage/is-sqlite.js';
export { makeDirSync } from './storage/make-dir.js';
/** Which database a spill file's rows are for (a SQLite path resolved, a PostgreSQL URL without credentials). */
export { spillDatabase } from './storage/spill-database.js';
export { storableText } from './storage/storable-text.js';

// HTTP facts plugins need.
export { clientCredential } from './http/credentials.js';
export { compileCidrs, containsAddress } from './http/client-address.js';
export { sessionIdFrom } from './http/session.js';

// CLI output.
export { table, visible } from './cli/table.js';
export { describeParseError } from './cli/parse-error.js';

// Observability.
export type { Logger, LogFields, LogLevel } from './observability/logger.js';
export type { Metrics, Counter, Gauge, Histogram, Labels, MetricOptions, GaugeOptions, HistogramOptions } from './observability/metrics.js';

