// Client-chosen text (a model name, a provider's, an offer id) as both databases store it.

/**
 * `s` within `width` characters, with NUL as U+FFFD. PostgreSQL's text cannot hold a NUL character
 * and refuses the whole statement ("invalid byte sequence for encoding UTF8: 0x00"), so one row
 * with a client-chosen name holding one (a model "gpt-4o\u0000x", recorded even for a request refused before the chain) failed
 * its batch on every retry and replay. Replaced rather than dropped: the row still shows that
 * something was there, the same on SQLite.
 */
export function storableText(s: string, width = Infinity): string {
  const cut = s.length > width ? s.slice(0, width) : s;
  return cut.indexOf('\u0000') === -1 ? cut : cut.replaceAll('\u0000', '\uFFFD');
}
