// What counts as this machine: the names and addresses an unauthenticated gateway may listen on,
// and the web origins it may answer.

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * True for an `Origin` header naming a page served from this machine (`http://localhost:3000`,
 * `http://127.0.0.1:8081`, `http://[::1]`, `http://app.localhost`, which browsers resolve to
 * loopback). `null` (a sandboxed frame, a file:// page) and anything unparsable are not.
 */
export function isLoopbackOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false;
  const { hostname } = new URL(origin);
  return isLoopbackHost(hostname) || hostname.endsWith('.localhost');
}
