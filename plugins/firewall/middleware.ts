// The firewall in the chain. On the way in it scans every text segment of the request through the
// protocol view (system prompts, every message, tool arguments and results, embeddings input…),
// records what it found, and — by mode and entity policy — refuses the request or replaces values
// with placeholders. On the way out it scans the model's answer (output.mode) and puts the original
// values back where the answer repeats a placeholder (restore), in JSON bodies and streams alike.
// Monitor mode only reads through the view, so the client's bytes go upstream untouched. Tool
// descriptions are not scanned, only cleared of values redacted elsewhere (tool-definitions.ts).
import {
  GatewayError, protocolName, transformResponseBody, transformStream,
  type Channel, type DeltaTransform, type JsonObject, type Logger, type PluginMiddleware, type ProtocolName,
} from '../../core/index.js';
import { asksForJson } from './json-answer.js';
import { FIREWALL_BLOCKED, FIREWALL_TOO_LARGE, FIREWALL_UNAVAILABLE } from './errors.js';
import type { OutputMode } from './options.js';
import { chainTransforms, observeOnly, outputScanTransform } from './output-scan.js';
import { placeholderLiterals, type PlaceholderMap } from './placeholders.js';
import { redactKnownValues, redactSegments } from './redact.js';
import { recordRequestFindings, ResponseFindings, summarise, type FirewallMetrics } from './report.js';
import { restoreTransform } from './restore.js';
import type { ScanBudget } from './request-scan.js';
import type { FirewallRuntime } from './runtime.js';
import { continuesStoredConversation } from './stored-conversation.js';
import { toolDescriptions } from './tool-definitions.js';
import type { Finding } from './types.js';
import { handleUnreadable } from './unreadable.js';

/** Answers that carry model text: the ones output scanning and restore read. */
const GENERATIONS = new Set<ProtocolName>(['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate']);
const OUTPUT_ACTION = { monitor: 'recorded', redact: 'redacted', block: 'blocked' } as const;
export const OUTPUT_HEADER = 'x-sluice-firewall-output';
export const UNSCANNED_HEADER = 'x-sluice-firewall-unscanned';

export function firewallMiddleware(runtime: () => FirewallRuntime | Promise<FirewallRuntime>, metrics: FirewallMetrics, logger: Logger): PluginMiddleware {
  return async (ctx, next) => {
    const { exchange } = ctx;
    if (exchange.endpoint.operation === 'models') return next();
    const built = runtime();
    const rt = built instanceof Promise ? await built : built;
    const view = exchange.view();
    const segments = view.segments();
    // Filled by the same walk as the segments: empty, and costing nothing more, for a well-formed body.
    const unreadable = view.unreadable();
    let unscanned = 0;
    if (unreadable.length) {
      const blocked = rt.options.mode !== 'monitor';
      metrics.unscanned.inc({ reason: 'unreadable', action: blocked ? 'blocked' : 'recorded' });
      unscanned += handleUnreadable(unreadable, rt.options.mode, exchange.id, logger);
    }
    let map: PlaceholderMap | undefined;
    let jsonAnswer = false;
    if (segments.length) {
      const texts = new Array<string>(segments.length);
      for (let i = 0; i < segments.length; i++) texts[i] = segments[i]!.text;
      let findings: (readonly Finding[])[];
      // Scanning is synchronous work on the event loop, linear in the text: the budget bounds what one request can hold it for.
      const budget: ScanBudget = { remaining: rt.options.max_scan_chars || Infinity, unscanned: 0 };
      try {
        findings = await rt.scanner.scan(texts, budget);
      } catch (err) {
        logger.warn('presidio sidecar failed; request refused (on_error: block)', { request_id: exchange.id, error: (err as Error).message });
        throw new GatewayError(FIREWALL_UNAVAILABLE, 'request not sent: the prompt firewall could not check it (its Presidio sidecar is unavailable and on_error is block)');
      }
      if (budget.unscanned > 0) {
        metrics.unscanned.inc({ reason: 'max_scan_chars', action: rt.options.mode !== 'monitor' ? 'blocked' : 'recorded' });
        if (rt.options.mode !== 'monitor') {
          logger.warn('request refused: more text than max_scan_chars', { request_id: exchange.id, unscanned_chars: budget.unscanned, max_scan_chars: rt.options.max_scan_chars });
          throw new GatewayError(FIREWALL_TOO_LARGE, `request not sent: it holds more new text than the prompt firewall scans per request (max_scan_chars: ${rt.options.max_scan_chars})`);
        }
        // Monitor never changes or refuses anything; it says what it did not look at.
        logger.warn('request text beyond max_scan_chars was not scanned (monitor)', { request_id: exchange.id, unscanned_chars: budget.unscanned });
        unscanned += budget.unscanned;
      }
      if (findings.some((list) => list.length > 0)) {
        const summaries = summarise(segments, findings, rt.policy);
        const blocking = summaries.filter((s) => s.verdict === 'block');
        if (blocking.length) {
          recordRequestFindings(exchange, summaries, metrics, rt.options.header, true);
          throw new GatewayError(FIREWALL_BLOCKED, `request blocked by the prompt firewall: found ${blocking.map((s) => s.type).join(', ')}`, {
            param: blocking[0]!.locations[0] ?? null,
          });
        }
        if (summaries.some((s) => s.verdict === 'redact')) {
          // Read-only access: a request with nothing to redact keeps going upstream as the client's bytes.
          const body = exchange.readRequest() as JsonObject;
          const protocol = protocolName(exchange.endpoint);
          const numbering = continuesStoredConversation(protocol, body) ? 'keyed' : 'sequential';
          const descriptions = toolDescriptions(protocol, body);
          // Placeholder-shaped text the client wrote itself ("[EMAIL_ADDRESS_1]" typed in a prompt)
          // is never given to a value, or restore would turn the model's echo of it into that value.
          // Only with restore: without it the client resends our own placeholders in the model's
          // turns, and skipping those would renumber the history on every turn.
          const taken = rt.options.restore ? placeholderLiterals(texts.concat(descriptions.map((d) => d.text))) : undefined;
          map = redactSegments(segments, findings, (type) => rt.policy.verdict(type) === 'redact', numbering, taken);
          if (redactKnownValues(descriptions, map) > 0) exchange.requestChanged();
          jsonAnswer = asksForJson(protocol, body);
        }
        recordRequestFindings(exchange, summaries, metrics, rt.options.header, false);
      }
    }
    if (unscanned > 0 && rt.options.header) exchange.responseHeaders[UNSCANNED_HEADER] = String(unscanned);
    const outputMode = rt.options.output.mode;
    const restoring = map !== undefined && map.size > 0 && rt.options.restore;
    if (outputMode === 'off' && !restoring) return next();
    await next();
    const response = exchange.response;
    if (!response || !GENERATIONS.has(protocolName(response.protocol))) return;
    if (response.kind === 'json' && response.status >= 400) return; // an error envelope carries no model text
    const output = outputMode === 'off' ? undefined : new ResponseFindings(exchange, metrics, OUTPUT_ACTION[outputMode]);
    const transform = responseTransform(rt, outputMode, output, restoring ? map : undefined, jsonAnswer);
    if (response.kind === 'json') {
      try {
        transformResponseBody(response.protocol, response.body, transform);
      } finally {
        // Also when output block refuses the answer: the 400 says what the answer held, as a request refusal does.
        const found = output?.headerValue();
        if (found && rt.options.header) exchange.responseHeaders[OUTPUT_HEADER] = found;
      }
    } else {
      response.events = transformStream(response.protocol, response.events, transform);
    }
  };
}

function channelLocation(channel: Channel): string {
  return channel.kind === 'tool_arguments' ? `response.tool_arguments[${channel.index}]` : `response.${channel.kind}`;
}

/** Output scanning reads the model's own text (placeholders included); restore then turns placeholders back into values. */
function responseTransform(rt: FirewallRuntime, mode: OutputMode, output: ResponseFindings | undefined, map: PlaceholderMap | undefined, jsonAnswer: boolean): DeltaTransform {
  const restore = map ? restoreTransform(map, jsonAnswer) : undefined;
  if (!output) return restore!;
  const scan = outputScanTransform(rt.engine, rt.options.output.hold_chars, {
    reports: (type) => rt.policy.verdict(type) !== 'allow',
    found(type, channel) {
      output.add(type, channelLocation(channel));
      if (mode === 'block') throw new GatewayError(FIREWALL_BLOCKED, `response blocked by the prompt firewall: the answer contained ${type}`);
    },
    mask: (type) => (mode === 'redact' ? `[REDACTED_${type}]` : undefined),
  });
  const step = mode === 'monitor' ? observeOnly(scan) : scan;
  return restore ? chainTransforms(step, restore) : step;
}
