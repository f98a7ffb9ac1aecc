// Which protocol each upstream call speaks, under the route's work mode.
import { GatewayError, operationClass, parseProtocolName, protocolName, type Endpoint, type Protocol, type Provider } from '../../core/index.js';
import type { WorkMode } from './options.js';

/**
 * auto: the client's protocol when the provider serves it, else the provider's first protocol of
 * the same class. passthrough: the client's protocol or nothing. translation: a protocol other than
 * the client's (so a provider that serves everything, like loopback, is reached through the translator).
 * Undefined when the mode rules this provider out.
 */
export function targetProtocol(endpoint: Endpoint, provider: Provider, mode: WorkMode): Protocol | undefined {
  const own = protocolName(endpoint);
  const native = provider.protocols.includes(own);
  if (mode === 'passthrough') return native ? endpoint : undefined;
  if (mode === 'auto' && native) return endpoint;
  const cls = operationClass(endpoint.operation);
  const other = provider.protocols.find((p) => p !== own && operationClass(parseProtocolName(p).operation) === cls);
  if (other) return parseProtocolName(other);
  // No protocol of its kind here: a model call (embeddings to a chat-only endpoint) is not sent —
  // refused, or the next target tried. Token counts and model lists have no translation target
  // everywhere; the translator answers them itself — in auto, and in translation too when the
  // provider does not speak the client's protocol (a local count passes nothing through; refusing
  // it gave Claude Code a 400 claiming the provider served the count natively). A provider that
  // does speak it would pass through, which translation refuses.
  if (cls === 'generate' || cls === 'embed') return undefined;
  return mode === 'auto' || !native ? endpoint : undefined;
}

/** A generation or embedding the provider lists no protocol of its kind for (which refusal to give). */
function servesNothingOf(provider: Provider, endpoint: Endpoint): boolean {
  const cls = operationClass(endpoint.operation);
  return (cls === 'generate' || cls === 'embed') && !provider.protocols.some((p) => operationClass(parseProtocolName(p).operation) === cls);
}

export function modeRefusal(endpoint: Endpoint, provider: Provider, mode: WorkMode): GatewayError {
  const own = protocolName(endpoint);
  if (servesNothingOf(provider, endpoint)) {
    const kind = operationClass(endpoint.operation) === 'embed' ? 'embeddings' : 'generation';
    return new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `provider ${provider.name} serves no ${kind} protocol (it speaks ${provider.protocols.join(', ')}), so ${own} cannot reach it; list one in its protocols or route this model to a provider that has one`);
  }
  const message = mode === 'passthrough'
    ? `this route is passthrough-only, but provider ${provider.name} does not speak ${own} (it speaks ${provider.protocols.join(', ')}); use a provider that does or set mode: auto`
    : `this route is translation-only, but provider ${provider.name} can only serve ${own} natively; set mode: auto`;
  return new GatewayError('SLUICE_E_WORK_MODE', message);
}
