// What the Chat encoder leaves out of the IR (unsent-fields.ts), and Chat clients' names for
// what other encoders leave out.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../ir.js';
import { unsentContent, unsentSeedPenalties, unsentStops, unsentValue, type UnsentField, type UnsentNames } from '../../unsent-fields.js';

export function chatUnsentFields(req: IrRequest, body: JsonObject): UnsentField[] {
  const out: UnsentField[] = [];
  unsentValue(out, 'topK', req.topK, undefined);
  unsentStops(out, req, body['stop']);
  unsentValue(out, 'temperature', req.temperature, body['temperature']);
  unsentValue(out, 'topP', req.topP, body['top_p']);
  unsentValue(out, 'verbosity', req.verbosity, body['verbosity']);
  unsentSeedPenalties(out, req, body, { seed: 'seed', presencePenalty: 'presence_penalty', frequencyPenalty: 'frequency_penalty' });
  unsentValue(out, 'reasoning', req.reasoning, body['reasoning_effort']);
  unsentValue(out, 'reasoning.includeThoughts', req.reasoning?.includeThoughts, undefined);
  unsentValue(out, 'toolChoice', req.toolChoice, body['tool_choice']);
  unsentValue(out, 'parallelToolCalls', req.parallelToolCalls, body['parallel_tool_calls']);
  // A PDF given by URL: Chat takes a file's bytes only.
  unsentContent(req, ['tools.cache', 'tools.freeformFormat', 'cache', 'document.url', 'toolResult.isError'], out);
  return out;
}

export const CHAT_UNSENT_NAMES: UnsentNames = {
  user: 'user',
  parallelToolCalls: 'parallel_tool_calls',
  toolChoice: 'tool_choice',
  temperature: 'temperature',
  topP: 'top_p',
  verbosity: 'verbosity',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  stop: 'stop',
  reasoning: 'reasoning_effort',
  responseFormat: 'response_format',
  'responseFormat.name': 'response_format.json_schema.name',
  'responseFormat.strict': 'response_format.json_schema.strict',
  'tools.strict': 'tools[].function.strict',
  'tools.freeformFormat': 'tools[].custom.format',
  'image.detail': 'messages[].content[].image_url.detail',
  thinking: 'messages[].reasoning_content',
  redactedThinking: 'messages[].reasoning_details',
};
