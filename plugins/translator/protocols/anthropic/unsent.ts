// What the Anthropic encoder leaves out of the IR (unsent-fields.ts), and Anthropic clients'
// names for what other encoders leave out.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../ir.js';
import { alwaysThinks } from './model-limits.js';
import { forcesTool } from './request-encode.js';
import { unsentContent, unsentSeedPenalties, unsentStops, unsentValue, type UnsentField, type UnsentNames } from '../../unsent-fields.js';

export function anthropicUnsentFields(req: IrRequest, body: JsonObject): UnsentField[] {
  const out: UnsentField[] = [];
  unsentValue(out, 'temperature', req.temperature, body['temperature']);
  unsentValue(out, 'topP', req.topP, body['top_p']);
  unsentValue(out, 'topK', req.topK, body['top_k']);
  unsentSeedPenalties(out, req, body);
  unsentValue(out, 'verbosity', req.verbosity, undefined);
  unsentStops(out, req, body['stop_sequences']);
  unsentValue(out, 'toolChoice', req.toolChoice, body['tool_choice']);
  // A forced tool sent as `auto` (a model that always thinks refuses forced tools).
  if (forcesTool(req) && (body['tool_choice'] as JsonObject | undefined)?.['type'] === 'auto') out.push('toolChoice');
  const wanted = req.reasoning !== undefined && req.reasoning.enabled && req.reasoning.effort !== 'none';
  const config = body['output_config'] as JsonObject | undefined;
  const type = (body['thinking'] as JsonObject | undefined)?.['type'];
  // Without a `thinking` field, an effort or a model that always thinks still thinks.
  const thinks = type === 'enabled' || type === 'adaptive' || (type === undefined && (config?.['effort'] !== undefined || alwaysThinks(req.model)));
  if (wanted && !thinks) out.push('reasoning');
  unsentValue(out, 'reasoning.includeThoughts', req.reasoning?.includeThoughts, (body['thinking'] as JsonObject | undefined)?.['display']);
  const f = req.responseFormat;
  if (f?.type === 'json_object') out.push('responseFormat');
  if (f?.type === 'json_schema') {
    unsentValue(out, 'responseFormat.name', f.name, undefined);
    unsentValue(out, 'responseFormat.strict', f.strict, undefined);
  }
  unsentContent(req, ['tools.freeformFormat', 'image.detail', 'thinking'], out);
  return out;
}

export const ANTHROPIC_UNSENT_NAMES: UnsentNames = {
  user: 'metadata.user_id',
  parallelToolCalls: 'tool_choice.disable_parallel_tool_use',
  toolChoice: 'tool_choice',
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  stop: 'stop_sequences',
  reasoning: 'thinking',
  'reasoning.includeThoughts': 'thinking.display',
  responseFormat: 'output_config.format',
  'tools.strict': 'tools[].strict',
  'tools.cache': 'tools[].cache_control',
  cache: 'cache_control',
  'toolResult.isError': 'messages[].content[].is_error',
  'document.url': 'messages[].content[].source(url)',
  thinking: 'messages[].content[](thinking)',
  redactedThinking: 'messages[].content[](redacted_thinking)',
};
