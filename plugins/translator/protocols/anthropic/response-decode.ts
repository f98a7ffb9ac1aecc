// Anthropic Messages JSON response → IR.
import { GatewayError, asObject, asString, emptyUsage, readMessagesTurn, type JsonValue } from '../../../../core/index.js';
import type { IrPart, IrResponse } from '../../ir.js';
import { BlockReader } from './block-reader.js';
import { decodeStopReason, decodeUsage, upstreamError } from './wire.js';

export function decodeResponse(body: JsonValue): IrResponse {
  const message = asObject(body);
  if (message && asString(message['type']) === 'error') throw upstreamError(message);
  if (!message || !Array.isArray(message['content'])) {
    throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'Anthropic upstream returned something other than a message', {
      upstream: { family: 'anthropic', body: message ?? JSON.stringify(body) },
    });
  }
  // The answer is a message: its blocks are read as a request's are, for the answer.
  const reader = new BlockReader(new Map(), true);
  readMessagesTurn(message, 0, reader);
  const parts: IrPart[] = reader.parts;
  const response: IrResponse = {
    id: asString(message['id']) ?? '',
    model: asString(message['model']) ?? '',
    parts,
    stopReason: decodeStopReason(asString(message['stop_reason'])),
    usage: decodeUsage(message['usage']) ?? emptyUsage(),
  };
  const stopSequence = asString(message['stop_sequence']);
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}
