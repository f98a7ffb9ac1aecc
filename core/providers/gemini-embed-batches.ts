// Gemini refuses a batchEmbedContents call of more than 100 requests (400 INVALID_ARGUMENT "at most
// 100 requests can be in one batch"), while OpenAI clients send up to 2048 inputs in one embeddings
// call (LangChain's OpenAIEmbeddings: 1000). A larger batch is sent as several calls of at most 100,
// a few at a time, and answered as one: the vectors in input order, usageMetadata summed. The client
// sees one request and the router one attempt: the first part to fail fails it with that error.
import { GatewayError } from '../errors.js';
import type { GatewayResponse, JsonResponse, UpstreamRequest } from '../exchange.js';
import { asArray, asObject } from '../protocols/json.js';
import { peekBody } from '../protocols/raw-json.js';
import type { JsonObject, JsonValue } from '../protocols/types.js';
import type { SendContext } from './provider.js';

export const GEMINI_MAX_EMBED_BATCH = 100;
/** Parts in flight at once: enough that 2048 inputs take a few round trips, few enough not to flood the provider's pool. */
const PARTS_IN_FLIGHT = 4;

type SendOne = (request: UpstreamRequest, ctx: SendContext) => Promise<GatewayResponse>;

/** The batch's requests when there are more than one call may carry; undefined otherwise. */
export function oversizedBatch(request: UpstreamRequest): JsonValue[] | undefined {
  if (request.protocol.operation !== 'embed') return undefined;
  const requests = request.body['requests'];
  return Array.isArray(requests) && requests.length > GEMINI_MAX_EMBED_BATCH ? requests : undefined;
}

export async function sendInBatches(request: UpstreamRequest, requests: JsonValue[], ctx: SendContext, sendOne: SendOne): Promise<GatewayResponse> {
  const parts: UpstreamRequest[] = [];
  for (let at = 0; at < requests.length; at += GEMINI_MAX_EMBED_BATCH) {
    // Without the client's bytes (`bytes`, `source`): each part is a new body.
    parts.push({ protocol: request.protocol, body: { ...request.body, requests: requests.slice(at, at + GEMINI_MAX_EMBED_BATCH) }, stream: false, model: request.model });
  }
  const answers: JsonResponse[] = new Array<JsonResponse>(parts.length);
  const partCtx = new PartsContext(ctx);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // A part that failed ends the request: the parts not yet sent are not sent.
    while (!failed && next < parts.length) {
      const i = next++;
      try {
        const response = await sendOne(parts[i]!, partCtx);
        partCtx.sent();
        if (response.kind !== 'json') throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'an embeddings call was answered with an event stream', { status: 502 });
        answers[i] = response;
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.min(PARTS_IN_FLIGHT, parts.length) }, worker);
  // The first failure is the request's; the others' outcomes are awaited so none is left unhandled.
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return joined(answers);
}

function joined(answers: JsonResponse[]): JsonResponse {
  const embeddings: JsonValue[] = [];
  let usage: JsonObject | undefined;
  for (const answer of answers) {
    const body = asObject(peekBody(answer));
    for (const e of asArray(body?.['embeddings'])) embeddings.push(e);
    const u = asObject(body?.['usageMetadata']);
    if (u) usage = summed(usage, u);
  }
  const body: JsonObject = { embeddings };
  if (usage) body['usageMetadata'] = usage;
  const last = answers[answers.length - 1]!;
  // The last part's headers: its rate-limit state is the most recent.
  return { kind: 'json', status: last.status, headers: last.headers, protocol: last.protocol, body };
}

function summed(into: JsonObject | undefined, u: JsonObject): JsonObject {
  const out: JsonObject = { ...into };
  for (const key in u) {
    const v = u[key];
    const prev = out[key];
    if (typeof v === 'number') out[key] = (typeof prev === 'number' ? prev : 0) + v;
  }
  return out;
}

/**
 * The parts' SendContext. The provider reports "in line, nothing sent" (waiting) so a client leaving
 * then is not charged for a call in flight; with several parts that holds only until the first part
 * has been sent, after which the outer context hears nothing more of the line.
 */
class PartsContext implements SendContext {
  private anySent = false;
  private reported = false;
  constructor(private readonly outer: SendContext) {}
  get signal(): AbortSignal { return this.outer.signal; }
  get requestId(): string { return this.outer.requestId; }
  get forwardHeaders(): SendContext['forwardHeaders'] { return this.outer.forwardHeaders; }

  waiting(inLine: boolean): void {
    if (inLine) {
      if (this.anySent || this.reported) return;
      this.reported = true;
      this.outer.waiting?.(true);
      return;
    }
    this.sent();
  }

  /** A part left the line (or was answered): the request is with the provider from now on. */
  sent(): void {
    this.anySent = true;
    if (this.reported) { this.reported = false; this.outer.waiting?.(false); }
  }
}
