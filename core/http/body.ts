// Reads a request body once, with a size limit, and parses it as a JSON object.
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';
import type { JsonObject } from '../protocols/types.js';

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonObject> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new GatewayError('SLUICE_E_UNSUPPORTED_MEDIA_TYPE', `content-type must be application/json, got ${type.split(';')[0]}`);
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new GatewayError('SLUICE_E_BAD_JSON', 'request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayError('SLUICE_E_BAD_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('SLUICE_E_BAD_JSON', 'request body must be a JSON object');
  }
  return value as JsonObject;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('SLUICE_E_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`);
}
