// What the Responses encoder leaves out of the IR (unsent-fields.ts), and Responses clients'
// names for what other encoders leave out.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../ir.js';
import { unsentContent, unsentSeedPenalties, unsentStops, unsentValue, type UnsentField, type UnsentNames } from '../../unsent-fields.js';

export function responsesUnsentFields(req: IrRequest, body: JsonObject): UnsentField[] {
  const out: UnsentField[] = [];
  unsentValue(out, 'topK', req.topK, undefined);
  unsentStops(out, req, undefined);
  unsentValue(out, 'temperature', req.temperature, body['temperature']);
  unsentValue(out, 'topP', req.topP, body['top_p']);
  unsentSeedPenalties(out, req, body);
  unsentValue(out, 'verbosity', req.verbosity, (body['text'] as JsonObject | undefined)?.['verbosity']);
  unsentValue(out, 'reasoning', req.reasoning, body['reasoning']);
  unsentContent(req, ['tools.cache', 'cache', 'toolResult.isError', 'thinking', 'redactedThinking'], out);
  return out;
}

export const RESPONSES_UNSENT_NAMES: UnsentNames = {
  user: 'user',
  parallelToolCalls: 'parallel_tool_calls',
  toolChoice: 'tool_choice',
  temperature: 'temperature',
  topP: 'top_p',
  reasoning: 'reasoning',
  'reasoning.includeThoughts': 'reasoning.summary',
  responseFormat: 'text.format',
  'responseFormat.name': 'text.format.name',
  'responseFormat.strict': 'text.format.strict',
  verbosity: 'text.verbosity',
  'tools.strict': 'tools[].strict',
  'tools.freeformFormat': 'tools[].format',
  'image.detail': 'input[].content[].detail',
  'document.url': 'input[].content[].file_url',
  thinking: 'input[](reasoning)',
};
