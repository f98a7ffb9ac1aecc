// What the Gemini encoder leaves out of the IR (unsent-fields.ts), and Gemini clients' names for
// what other encoders leave out.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../ir.js';
import { unsentContent, unsentSeedPenalties, unsentStops, unsentValue, type UnsentField, type UnsentNames } from '../../unsent-fields.js';

export function geminiUnsentFields(req: IrRequest, body: JsonObject): UnsentField[] {
  const out: UnsentField[] = [];
  const generation = body['generationConfig'] as JsonObject | undefined;
  unsentValue(out, 'user', req.user, undefined);
  unsentValue(out, 'parallelToolCalls', req.parallelToolCalls, undefined);
  unsentStops(out, req, generation?.['stopSequences']);
  unsentValue(out, 'verbosity', req.verbosity, undefined);
  unsentSeedPenalties(out, req, generation, { seed: 'seed', presencePenalty: 'presencePenalty', frequencyPenalty: 'frequencyPenalty' });
  unsentValue(out, 'reasoning', req.reasoning, generation?.['thinkingConfig']);
  unsentValue(out, 'responseFormat.name', req.responseFormat?.name, undefined);
  unsentValue(out, 'responseFormat.strict', req.responseFormat?.strict, undefined);
  unsentContent(req, ['tools.strict', 'tools.cache', 'tools.freeformFormat', 'cache', 'image.detail', 'redactedThinking'], out);
  return out;
}

export const GEMINI_UNSENT_NAMES: UnsentNames = {
  toolChoice: 'toolConfig',
  temperature: 'generationConfig.temperature',
  topP: 'generationConfig.topP',
  topK: 'generationConfig.topK',
  seed: 'generationConfig.seed',
  presencePenalty: 'generationConfig.presencePenalty',
  frequencyPenalty: 'generationConfig.frequencyPenalty',
  stop: 'generationConfig.stopSequences',
  reasoning: 'generationConfig.thinkingConfig',
  'reasoning.includeThoughts': 'generationConfig.thinkingConfig.includeThoughts',
  responseFormat: 'generationConfig.responseMimeType',
  'toolResult.isError': 'contents[].parts[].functionResponse.response.error',
  'document.url': 'contents[].parts[].fileData',
  thinking: 'contents[].parts[].thought',
};
