// `retry-after` (RFC 9110): what a provider or the marketplace asks a client to wait, as ms — one
// reading for dispatch's retries and the marketplace's backoff.

/**
 * `retry-after` in ms: delay-seconds (a fraction too, which some servers send: `1.5`) or an HTTP
 * date; undefined when absent or unreadable. Only text with a month or weekday name is read as a
 * date: Date.parse takes `1.5` for 2001-01-05, which made a provider's asked-for wait none at all.
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
