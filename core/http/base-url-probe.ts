// A client's check that its base URL answers: Claude Code sends `HEAD /` (and `HEAD /api/hello` as
// it preconnects) to ANTHROPIC_BASE_URL, other clients `GET /`. Anthropic's and OpenAI's own hosts
// answer them, so a 404 here made a healthy gateway read as "endpoint down", and every probe an
// error in the ledger's counts. Answered 200 before any plugin (no key: the SDK sends none with
// them), with a body that says nothing about the gateway.

/** The paths a base URL is probed at: the root, Claude Code's preconnect, and both under `/anthropic` (Sluice's Anthropic base URL). */
const PROBE_PATHS = new Set(['/', '/api/hello', '/anthropic', '/anthropic/', '/anthropic/api/hello']);

export const PROBE_ANSWER = JSON.stringify({ status: 'ok' });

/** Whether this request is a connectivity probe of a base URL (GET or HEAD only). */
export function isBaseUrlProbe(method: string, path: string): boolean {
  return (method === 'HEAD' || method === 'GET') && PROBE_PATHS.has(path);
}
