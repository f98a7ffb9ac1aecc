// The loop detector: stops agents that repeat themselves. Stateless — it reads the conversation the
// client resends (any protocol, through the protocol view), notes a loop at warn_at and answers
// without calling the upstream at block_at (a final assistant message, or a 4xx), recording a
// REPEATED_TOOL_CALL, TOOL_CYCLE or TOOL_FAILURE_STREAK finding either way.
import {
  canonicalArguments, createResponseView, definePlugin, GatewayError, isObject, observeStream, operationClass, streamTextReader,
  type Exchange, type Finding, type FindingAction, type StreamTextSink, type ToolCallInfo,
} from '../../core/index.js';
import { LoopHistory } from './history.js';
import { blockMessageFor, noteFor } from './messages.js';
import { dedupeOptions, thresholdsOf, type DedupeOptions } from './options.js';
import type { RatedFinding } from './types.js';

export { dedupeOptions } from './options.js';

export default definePlugin<DedupeOptions>({
  name: 'dedupe',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Loop detector: notes and stops agents that repeat the same tool calls with the same results',
  options: dedupeOptions,
  errors: {
    // A 400, not a 429: clients retry a 429, and retrying a loop is the loop.
    SLUICE_E_LOOP_DETECTED: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'FAILED_PRECONDITION', outcome: 'blocked' },
  },
  setup(options, host) {
    let current = { options, thresholds: thresholdsOf(options) };
    const findingsTotal = host.metrics.counter('sluice_loop_findings_total', 'Loop detector findings by type and action', { labelNames: ['type', 'action'] });
    const record = (exchange: Exchange, f: RatedFinding, action: FindingAction, direction: Finding['direction'] = 'request') => {
      exchange.findings.push({ source: 'dedupe', type: f.type, count: f.count, action, direction, locations: [...f.tools] });
      findingsTotal.inc({ type: f.type, action });
    };
    return {
      middleware: async ({ exchange }, next) => {
        if (operationClass(exchange.endpoint.operation) !== 'generate') return next();
        const { options: o, thresholds } = current;
        const history = LoopHistory.fromView(exchange.view());
        const [top, ...rest] = history.findings(thresholds);
        if (top) {
          const enforce = o.mode === 'enforce';
          const action: FindingAction = !enforce ? 'recorded' : top.level === 'block' ? 'blocked' : 'noted';
          record(exchange, top, action);
          for (const f of rest) record(exchange, f, 'recorded');
          // The logger owns `level` (a second one in the line is the one JSON parsers keep): what was
          // done is `action`, as in the findings and the metric; the threshold reached is `reached`.
          // A loop at its block threshold logs at warn, so `logging.level: warn` still shows it.
          const fields = { request_id: exchange.id, session: exchange.sessionId, type: top.type, count: top.count, action, reached: top.level, mode: o.mode };
          if (top.level === 'block') host.logger.warn('loop detected', fields);
          else host.logger.info('loop detected', fields);
          if (enforce && top.level === 'block') {
            const text = blockMessageFor(top);
            if (o.block_with === 'error') throw new GatewayError('SLUICE_E_LOOP_DETECTED', text);
            exchange.reply({ text, outcome: 'blocked' });
            return;
          }
          if (enforce) exchange.view().addNote(noteFor(top));
        }
        await next();
        if (o.inspect_response) inspectResponse(exchange, history, current.thresholds, (f) => record(exchange, f, 'recorded', 'response'));
      },
      reload(next) {
        const prepared = { options: next, thresholds: thresholdsOf(next) };
        return () => { current = prepared; };
      },
    };
  },
});

/**
 * Records, without holding anything back, when the model's new calls would make a loop reach its
 * block threshold (they are already on their way to the client).
 */
function inspectResponse(exchange: Exchange, history: LoopHistory, thresholds: ReturnType<typeof thresholdsOf>, found: (f: RatedFinding) => void): void {
  const response = exchange.response;
  if (!response || response.status >= 400) return;
  const project = (calls: readonly ToolCallInfo[]) => { for (const f of history.projectNewCalls(calls, thresholds)) found(f); };
  if (response.kind === 'json') {
    project(createResponseView(response.protocol, response.body).toolCalls());
    return;
  }
  // Streams: each tool call as it passes — its name from the event that opens it, its arguments
  // from the deltas (none at all for a tool without parameters: an Anthropic tool_use block may
  // open with `input: {}` and close without an input_json_delta) — judged when the stream has run
  // to its end. Observed, not transformed: the events go on to the client untouched.
  const read = streamTextReader(response.protocol);
  if (!read) return;
  const calls = new StreamedCalls();
  response.events = observeStream(response.events, {
    event(ev) { if (isObject(ev.data)) read(ev.data, ev.event, calls); },
    end(complete) { if (complete) project(calls.list()); },
  });
}

/** The tool calls of a stream, collected from core's reading of each event (choice 0: the answer the agent acts on). */
class StreamedCalls implements StreamTextSink {
  private readonly open = new Map<number, { name: string; args: string }>();
  private readonly whole: { name: string; args: string }[] = [];

  text(): void {}
  reasoning(): void {}
  call(choice: number, index: number, name: string | undefined, args: string | undefined): void {
    if (choice !== 0) return;
    // Index -1: a call that arrived whole (Gemini).
    if (index < 0) { this.whole.push({ name: name ?? '', args: args ?? '' }); return; }
    let call = this.open.get(index);
    if (!call) this.open.set(index, (call = { name: '', args: '' }));
    if (name) call.name = name;
    if (args) call.args += args;
  }

  list(): ToolCallInfo[] {
    return [...this.open.values(), ...this.whole].map(({ name, args }, i) => ({
      id: undefined, name, arguments: canonicalArguments(args), turn: i, path: [],
    }));
  }
}
