// The contract every protocol codec implements. A translation from client protocol C to upstream
// protocol U is: C.decodeRequest → U.encodeRequest on the way in; U.decodeResponse/decodeStream →
// C.encodeResponse/encodeStream on the way out.
import type { JsonObject, JsonValue, Protocol, StreamEvent } from '../../core/index.js';
import type { IrRequest, IrResponse, IrStreamEvent } from './ir.js';
import type { UnsentField, UnsentNames } from './unsent-fields.js';

export interface EncodeContext {
  /** The model name the client asked for: responses echo it, not the upstream's name. */
  clientModel: string;
  /** The client's request decoded: Responses echoes tools/instructions, freeform tools are looked up here. */
  request: IrRequest;
  /** A stable id source for this exchange (ids the encoder mints derive from it). */
  requestId: string;
  /** Epoch seconds for `created` fields. */
  created: number;
  /** Input tokens estimated from the request, for streams whose first event must carry a count before upstream reports one. */
  estimatedInputTokens: number;
  /** Chat only: the client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
}

export interface ProtocolCodec {
  readonly protocol: Protocol;
  /**
   * Client request body → IR. Throws GatewayError SLUICE_E_INVALID_REQUEST on malformed input.
   * `listDrops` (default true) walks the body for every key the decoder does not read, into
   * `dropped`; only a debug log line reads that list, so a gateway not logging at debug skips the
   * walk (tens of µs on a long agent conversation). Drops decided on values are listed either way.
   */
  decodeRequest(body: JsonObject, model: string, stream: boolean, listDrops?: boolean): IrRequest;
  /** IR → upstream request body (model and stream settings included). */
  encodeRequest(request: IrRequest): JsonObject;
  /**
   * What `encodeRequest` left out of `request` when it built `body` (the IR held it, this protocol
   * cannot take it): read only by the debug line, so called only while debug is on.
   */
  unsentFields(request: IrRequest, body: JsonObject): Iterable<UnsentField>;
  /** As a client protocol: its own name of each IR field an upstream may leave out. */
  readonly unsentNames: UnsentNames;
  /** Upstream JSON response → IR. */
  decodeResponse(body: JsonValue): IrResponse;
  /** IR → client JSON response. */
  encodeResponse(response: IrResponse, ctx: EncodeContext): JsonObject;
  /** Upstream stream events → IR events. Must not buffer: yield as soon as each event is understood. */
  decodeStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent>;
  /** IR events → client stream events (no `[DONE]`: egress adds the protocol's terminator). */
  encodeStream(events: AsyncIterable<IrStreamEvent>, ctx: EncodeContext): AsyncIterable<StreamEvent>;
}
