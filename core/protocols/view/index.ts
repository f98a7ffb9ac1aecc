// The protocol view's public surface.
export type {
  SegmentKind, BodyPath, Segment, ToolCallInfo, ToolResultInfo, ToolEvent, SignatureInfo, RequestView, ResponseView, Channel, DeltaTransform,
} from './types.js';
export { createRequestView } from './request-view.js';
export { createResponseView, transformResponseBody } from './response-json.js';
export { transformStream } from './stream-transform.js';
