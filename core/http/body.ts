// Reads a request body once — within a size limit and a deadline — refuses excessive nesting with
// one linear scan, and parses it as a JSON object.
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';
import type { JsonObject } from '../protocols/types.js';
import { deadlineQueue } from './deadlines.js';
import { exceedsJsonDepth } from '../protocols/json-depth.js';

export interface BodyLimits {
  /** Largest body in bytes (server.body_limit). */
  maxBytes: number;
  /** How long the whole body may take to arrive once its headers are in (server.body_timeout_ms). */
  timeoutMs: number;
  /** Deepest array/object nesting accepted (server.max_json_depth). */
  maxDepth: number;
}

const JSON_TYPE = /^application\/(.+\+)?json\b/i;
const IDENTITY = /^\s*identity\s*$/i;
const EXPECTS_CONTINUE = /100-continue/i;

export interface JsonBody {
  value: JsonObject;
  /** The bytes as received: sent upstream as they are when no plugin changes the request. */
  bytes: Buffer;
}

export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<JsonBody> {
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw new GatewayError('SLUICE_E_UNSUPPORTED_MEDIA_TYPE', `content-type must be application/json, got ${type.split(';')[0]!.slice(0, 100)}`);
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== '' && !IDENTITY.test(encoding)) {
    // Decoding would let a few KB expand past body_limit before the limit could see it.
    throw new GatewayError('SLUICE_E_UNSUPPORTED_ENCODING', `content-encoding ${encoding.slice(0, 50)} is not supported; send the request body uncompressed`);
  }
  const declared = Number(req.headers['content-length']);
  // A client waiting for 100 Continue (which the server withheld: core/server.ts) has sent none of
  // the body: nothing to discard, it is told at once.
  if (declared > limits.maxBytes + DISCARD_BYTES || (declared > limits.maxBytes && EXPECTS_CONTINUE.test(req.headers['expect'] ?? ''))) throw tooLarge(limits.maxBytes);
  const bytes = await receive(req, limits, declared > limits.maxBytes);
  if (exceedsJsonDepth(bytes, limits.maxDepth)) {
    throw new GatewayError('SLUICE_E_JSON_TOO_DEEP', `request body is nested more than ${limits.maxDepth} levels deep`);
  }
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // An empty body is told apart only once it failed to parse: no trimmed copy of every body.
    if (text.trim() === '') throw new GatewayError('SLUICE_E_BAD_JSON', 'request body is empty; expected a JSON object');
    throw new GatewayError('SLUICE_E_BAD_JSON', `request body is not valid JSON: ${parseErrorText((err as Error).message)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('SLUICE_E_BAD_JSON', 'request body must be a JSON object');
  }
  return { value: value as JsonObject, bytes };
}

/**
 * How much of a body over the limit is read and thrown away before the 413. Node SDKs (undici) that
 * are still uploading when the connection closes report a connection error (EPIPE, ECONNRESET) and
 * retry, uploading it all again, instead of reading the 413; read to its end, the body leaves the
 * client free to read the answer, and the connection stays usable. Beyond this, or past the body
 * deadline, reading stops as for any refused body.
 */
export const DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Collects the body. A body over the limit is discarded as it arrives (up to DISCARD_BYTES more,
 * within the deadline) and then refused. On any other refusal — too slow, or too large to discard —
 * it stops reading: the request is paused, not drained, and core answers with `connection: close`,
 * so a refused upload never wedges the connection and an endless one is never read to its end.
 */
function receive(req: IncomingMessage, limits: BodyLimits, overLimit: boolean): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    /** Over the limit: nothing is kept any more, and the end of the body brings the 413. */
    let discarding = overLimit;
    const settle = (error?: GatewayError) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      if (!error) { resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)); return; }
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (discarding) {
        if (size > limits.maxBytes + DISCARD_BYTES) settle(tooLarge(limits.maxBytes));
      } else if (size > limits.maxBytes) {
        discarding = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    };
    const onEnd = () => settle(discarding ? tooLarge(limits.maxBytes) : undefined);
    // 'close' before 'end', or an 'aborted' error: the client went away mid-upload. A GatewayError
    // is the server's parser refusing the body's framing (core/http/client-error.ts).
    const onGone = (err?: unknown) => settle(err instanceof GatewayError ? err
      : new GatewayError('SLUICE_E_CLIENT_CLOSED', 'the client closed the connection before its request body was complete'));
    const deadline = deadlineQueue(limits.timeoutMs).add(
      () => settle(discarding ? tooLarge(limits.maxBytes) : new GatewayError('SLUICE_E_REQUEST_TIMEOUT', `the request body did not arrive within ${limits.timeoutMs} ms`)),
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('SLUICE_E_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`);
}

/**
 * V8's parse error without the piece of the body it quotes (`Unexpected token 'A', ..."key": AKIA…"...
 * is not valid JSON`): the body may hold a secret, and the error goes back in the response and into
 * whatever logs it on the way. Its other messages name a position only.
 */
function parseErrorText(message: string): string {
  return message.endsWith('is not valid JSON') ? 'Unexpected token' : message.slice(0, 200);
}
