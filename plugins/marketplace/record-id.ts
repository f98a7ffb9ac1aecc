// The id a usage record goes to the marketplace under. The marketplace counts an id once, across
// every gateway that reports to it, so the id must belong to one request and to no other: a
// request id the gateway minted does (`req_`, the time and 80 random bits), but a client may send
// its own `x-request-id` (core echoes a safe one and makes it the request id), and reuse it — on
// a retry, by a bug, or to keep requests off the bill — or send the same one to two gateways. Such
// a request is reported as `<id>~<arrival key>`: core's key for this arrival, the one its ledger
// row carries (`arrival_key`), and the suffix the ledger gives a reused id's later rows. `~` is
// never in a client's id, so a derived id cannot be one a client sent. The id is made once, when
// the record is, and stored with it in the outbox: a retried push or a restart sends it again.
import type { RequestRecord } from '../../core/index.js';

/**
 * The gateway minted the id when the client sent no `x-request-id`, or one core refused (it then
 * mints a fresh id). A request refused before its exchange existed (no body read: a 404, a body
 * too large; reported only with `report: all`) leaves no headers to tell, so it gets a derived id:
 * one more suffix is harmless, a shared id loses a record.
 */
function mintedHere(record: RequestRecord): boolean {
  return record.exchange !== undefined && record.exchange.headers['x-request-id'] !== record.id;
}

/** Cut so the derived id stays within the outbox's 128 characters (100 + `~` + the key). */
const OWN_PART = 100;

export function recordIdFor(record: RequestRecord): string {
  if (mintedHere(record)) return record.id;
  return `${record.id.slice(0, OWN_PART)}~${record.arrivalKey}`;
}
