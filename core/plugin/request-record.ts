// The record of one finished request, handed to every plugin's `onRequest` — for every request,
// including those rejected before the chain. The ledger writes it; nothing in it is a secret.
import type { Attempt, Exchange, Finding, Outcome, Principal } from '../exchange.js';
import type { ApiFamily, Usage } from '../protocols/types.js';

export interface RequestRecord {
  /** The request id: minted by Sluice, or the client's own `x-request-id` (which a client may reuse). */
  readonly id: string;
  /**
   * This arrival's own key, unique across requests, processes and instances (a random per-process
   * tag and a sequence, lowercase letters and digits): what tells apart two requests a client gave
   * one id. The ledger stores it (`arrival_key`), the marketplace suffixes client-chosen ids with it.
   */
  readonly arrivalKey: string;
  /** When the request arrived (epoch ms). */
  readonly time: number;
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** The endpoint id ("openai.chat", …), or undefined when none matched (404, 405). */
  readonly endpoint: string | undefined;
  /** The family whose envelope the client got. */
  readonly family: ApiFamily;
  readonly peerAddress: string;
  readonly clientAddress: string;
  readonly principal: Principal | undefined;
  readonly sessionId: string | undefined;
  /** The model the client asked for. */
  readonly model: string | undefined;
  /** The provider and model that answered (or were last tried). */
  readonly provider: string | undefined;
  readonly servedModel: string | undefined;
  /** Failed upstream attempts before the one that answered (fallbacks and same-provider retries). */
  readonly attempts: readonly Attempt[];
  readonly stream: boolean;
  readonly status: number;
  readonly outcome: Outcome;
  /** The gateway error code when the request failed or was refused. */
  readonly errorCode: string | undefined;
  readonly usage: Usage | undefined;
  readonly findings: readonly Finding[];
  /** ms from arrival to the first response byte. */
  readonly firstByteMs: number | undefined;
  readonly totalMs: number;
  /** The exchange, when the request got that far (a body was parsed). */
  readonly exchange: Exchange | undefined;
}
