// The firewall's error codes (registered through the plugin definition's `errors`).
import type { ErrorSpec } from '../../core/index.js';

export const FIREWALL_BLOCKED = 'SLUICE_E_FIREWALL_BLOCKED';
export const FIREWALL_UNAVAILABLE = 'SLUICE_E_FIREWALL_UNAVAILABLE';
export const FIREWALL_TOO_LARGE = 'SLUICE_E_FIREWALL_TOO_LARGE';
export const FIREWALL_UNREADABLE = 'SLUICE_E_FIREWALL_UNREADABLE';

export const FIREWALL_ERRORS: Record<string, ErrorSpec> = {
  // 400, not 403: the request is refused for what it contains, which the client can change; every
  // SDK reports a 400 as a bad request and none retries it, whereas a 403 reads as a key without
  // permission (Claude Code and Codex tell the user to check their credentials).
  [FIREWALL_BLOCKED]: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT', outcome: 'blocked' },
  // The Presidio sidecar failed with `on_error: block`: the request could not be checked, so it is
  // not sent. 503, which SDKs retry, because the cause is usually passing.
  [FIREWALL_UNAVAILABLE]: { status: 503, openai: 'api_error', anthropic: 'api_error', gemini: 'UNAVAILABLE', outcome: 'blocked' },
  // More new text than max_scan_chars in enforce or redact: what was not scanned must not go upstream
  // unchecked. 413, which SDKs do not retry: the same request would be refused again.
  [FIREWALL_TOO_LARGE]: { status: 413, openai: 'invalid_request_error', anthropic: 'request_too_large', gemini: 'INVALID_ARGUMENT', outcome: 'blocked' },
  // In enforce or redact, a field where the protocol keeps content holds a type it does not allow
  // (`"messages": "…"`): the firewall cannot read it, so it must not go upstream unchecked. A 400
  // like the provider's own answer to such a body, but a firewall code (outcome blocked): core's
  // SLUICE_E_INVALID_REQUEST would read as a refusal that happens without the firewall too.
  [FIREWALL_UNREADABLE]: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT', outcome: 'blocked' },
};
