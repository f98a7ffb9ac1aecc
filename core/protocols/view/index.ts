// The protocol view's public surface.
export type {
  SegmentKind, BodyPath, Segment, ToolCallInfo, ToolResultInfo, ToolEvent, SignatureInfo, UnreadableField, RequestView, ResponseView, Channel, DeltaTransform,
} from './types.js';
export { createRequestView } from './request-view.js';
export { createResponseView, transformResponseBody } from './response-json.js';
export { transformStream } from './stream-transform.js';
// Texts alone, fast, for plain Chat bodies (the view reads the rest).
export { plainChatTexts, plainChatAnswer } from './plain-chat.js';
export type { RequestSink, ArgumentsForm, Container as BodyContainer } from './sink.js';
export { NO_PATH } from './sink.js';
// The per-entry readers of each request shape, for decoders that need more than the view keeps.
export { readMessagesSystem, readMessagesTurn, readMessagesBlock } from './request-anthropic.js';
// What each stream delta carries, for decoders that read streams too.
export { messagesDelta } from './stream-anthropic.js';
export type { MessagesDelta } from './stream-anthropic.js';
export { responsesDelta, responsesDone } from './stream-openai.js';
export type { ResponsesDelta } from './stream-openai.js';
export { readChatMessage, readResponsesItem, responsesItemType } from './request-openai.js';
export { readGenerateSystem, readGenerateContent, readGeneratePart, functionResponseIsError, functionResponseValue } from './request-gemini.js';
