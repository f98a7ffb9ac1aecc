// What counts as this machine: the names and addresses an unauthenticated gateway may listen on,
// the `Host` names it answers to, and the web origins it may answer.
import { GatewayError } from '../errors.js';

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || LOOPBACK_V4.test(host);
}

/**
 * Loopback, a name browsers resolve to loopback themselves (`app.localhost`, RFC 6761), or an
 * unspecified address, which as a destination is this machine (`curl http://0.0.0.0:8081`, as a
 * server's "listening on 0.0.0.0" invites): no page elsewhere is served under any of them. (As an
 * address to listen on, 0.0.0.0 is every interface: isLoopbackHost says no to it.)
 */
function isLoopbackName(name: string): boolean {
  return isLoopbackHost(name) || name.endsWith('.localhost') || name === '0.0.0.0' || name === '[::]';
}

/**
 * The names a gateway without authentication answers to: loopback ones, and those the operator
 * lists in `server.allowed_hosts` (`sluice.internal`, or `*.dev.internal` for any name under it).
 * A page can make a browser send any other name to 127.0.0.1 by DNS rebinding — its own name — and
 * read the answers as its own; it cannot make it send `localhost`, nor a name the operator owns.
 */
export class LocalNames {
  private readonly exact: ReadonlySet<string>;
  private readonly suffixes: readonly string[];
  /** The last `Host` found allowed: clients send the same one on every request. */
  private lastAllowed = '';

  constructor(allowedHosts: readonly string[] = []) {
    const names = allowedHosts.map(bareName);
    this.exact = new Set(names.filter((n) => !n.startsWith('*.')));
    this.suffixes = names.filter((n) => n.startsWith('*.')).map((n) => n.slice(1));
  }

  /** A host name (no port; IPv6 in brackets) that is this machine's. */
  isLocal(name: string): boolean {
    if (isLoopbackName(name) || this.exact.has(name)) return true;
    for (const suffix of this.suffixes) if (name.endsWith(suffix)) return true;
    return false;
  }

  /** A request's `Host` header names this machine (a request without one came from no browser). */
  allowsHost(host: string | undefined): boolean {
    if (host === undefined || host === this.lastAllowed) return true;
    if (!this.isLocal(bareName(host))) return false;
    this.lastAllowed = host;
    return true;
  }

  /**
   * True for an `Origin` header naming a web page served from elsewhere: an http(s) origin whose host
   * is not this machine. Only such a page can reach a loopback gateway by DNS rebinding (its own
   * name pointed at 127.0.0.1). `http://localhost:3000`, `http://127.0.0.1:8081`, `http://[::1]` and
   * `http://app.localhost` (browsers resolve *.localhost to loopback) are this machine, and so is a
   * name in `server.allowed_hosts`; extensions, editor webviews and apps (`chrome-extension://…`,
   * `vscode-webview://…`) and `null` (a sandboxed frame, a file:// page) are no web site's, and a
   * page cannot send those.
   */
  isForeignOrigin(origin: string): boolean {
    if (!URL.canParse(origin)) return false;
    const { protocol, hostname } = new URL(origin);
    if (protocol !== 'http:' && protocol !== 'https:') return false;
    return !this.isLocal(bareName(hostname));
  }
}

/**
 * Whether a browser request with this `Origin` came from a web page elsewhere, for what a page can
 * do without CORS's consent (`noCors`): open a WebSocket (no CORS at all: it reads every message),
 * or POST a body with no content type (a no-cors fetch, blind, which Sluice reads as JSON and
 * answers with the operator's keys). Then an opaque origin (`null`) counts as elsewhere: any site
 * can put a sandboxed frame or a `data:` document in its page, whose requests say `null`. Otherwise
 * it is answered: such a page cannot read an HTTP answer (Sluice sends no CORS headers) nor send
 * JSON without a preflight, which Sluice never grants — what says `null` there is a file or an app.
 */
export function fromPageElsewhere(names: LocalNames, origin: string, noCors: boolean): boolean {
  return origin === 'null' ? noCors : names.isForeignOrigin(origin);
}

/**
 * The name of a `Host` value or an allowed-hosts entry, as compared: no port, lower case, no
 * trailing dot (`LOCALHOST.:8081` is `localhost`); an IPv6 literal keeps its brackets.
 */
function bareName(authority: string): string {
  let name: string;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    name = end === -1 ? authority : authority.slice(0, end + 1);
  } else {
    const colon = authority.indexOf(':');
    name = colon === -1 ? authority : authority.slice(0, colon);
  }
  name = name.toLowerCase();
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The refusal of a foreign web page's `what` (a request, a WebSocket) by a gateway without authentication. */
export function foreignPageRefused(what: string): GatewayError {
  return new GatewayError('SLUICE_E_FORBIDDEN',
    `refusing ${what} from a web page that is not on this machine: this gateway has no authentication, and a page elsewhere can reach a loopback address by DNS rebinding; add an auth plugin to the chain, list the page's host in server.allowed_hosts, or set server.allow_unauthenticated_remote: true`);
}

/**
 * The refusal of a request addressed (`Host`) to a name that is not this machine's, by a gateway
 * without authentication. 403 rather than 421 Misdirected Request: the gateway could answer, it
 * refuses by policy, and a 421 invites the client to retry on another connection (RFC 9110
 * §15.5.20), which would only repeat the refusal. The name is not repeated: it is the client's.
 */
export function foreignHostRefused(what: string): GatewayError {
  return new GatewayError('SLUICE_E_FORBIDDEN',
    `refusing ${what} addressed to a host name that is not this machine's (Host header): this gateway has no authentication, and a web page can reach it under its own name by DNS rebinding; use localhost or 127.0.0.1, add the name to server.allowed_hosts, add an auth plugin to the chain, or set server.allow_unauthenticated_remote: true`);
}
