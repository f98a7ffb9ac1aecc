// What counts as this machine: the names and addresses an unauthenticated gateway may listen on,
// and the web origins it may answer.
import { GatewayError } from '../errors.js';

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * True for an `Origin` header naming a web page served from elsewhere: an http(s) origin whose host
 * is not this machine. Only such a page can reach a loopback gateway by DNS rebinding (its own
 * name pointed at 127.0.0.1). `http://localhost:3000`, `http://127.0.0.1:8081`, `http://[::1]` and
 * `http://app.localhost` (browsers resolve *.localhost to loopback) are this machine; extensions,
 * editor webviews and apps (`chrome-extension://…`, `vscode-webview://…`) and `null` (a sandboxed
 * frame, a file:// page) are no web site's, and a page cannot send those.
 */
export function isForeignWebOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false;
  const { protocol, hostname } = new URL(origin);
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  return !isLoopbackHost(hostname) && !hostname.endsWith('.localhost');
}

/** The refusal of a foreign web page's `what` (a request, a WebSocket) by a gateway without authentication. */
export function foreignPageRefused(what: string): GatewayError {
  return new GatewayError('SLUICE_E_FORBIDDEN',
    `refusing ${what} from a web page that is not on this machine: this gateway has no authentication, and a page elsewhere can reach a loopback address by DNS rebinding; add an auth plugin to the chain, or set server.allow_unauthenticated_remote: true`);
}
