// A request target in absolute form (`GET http://host:port/path?query HTTP/1.1`), what clients send
// to a proxy: RFC 9112 §3.2.2 says a server MUST accept it, and take the host from the target,
// ignoring `Host`. Made origin form here, before anything reads the path or the Host (routing, the
// unauthenticated gateway's Host check, the access log). The path is kept as sent, not normalised
// (`new URL` would resolve `..` and re-encode), so it matches as the same request in origin form.
import type { IncomingMessage } from 'node:http';

const ABSOLUTE = /^https?:\/\//i;

/** When `req.url` is in absolute form: the path and query in `req.url`, the target's host in `Host`. */
export function toOriginForm(req: IncomingMessage): void {
  const target = req.url;
  // Origin form, the common case: one character tested.
  if (target === undefined || target.charCodeAt(0) === 47 /* / */ || !ABSOLUTE.test(target)) return;
  const from = target.indexOf('//') + 2;
  let end = from;
  while (end < target.length && target[end] !== '/' && target[end] !== '?' && target[end] !== '#') end++;
  const authority = target.slice(from, end);
  // Userinfo (`user@host`) is not part of the host.
  req.headers.host = authority.slice(authority.lastIndexOf('@') + 1);
  const rest = target.slice(end);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
}
