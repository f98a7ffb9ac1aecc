// Model listings and single-model lookups, in the shape each SDK's `models.list()` / `models.get()` expects.
import { GatewayError, type ApiFamily, type JsonObject } from '../../core/index.js';

export interface ListedModel { id: string; provider: string }

function one(family: ApiFamily, m: ListedModel): JsonObject {
  switch (family) {
    case 'openai': return { id: m.id, object: 'model', created: 0, owned_by: m.provider };
    case 'anthropic': return { type: 'model', id: m.id, display_name: m.id, created_at: '1970-01-01T00:00:00Z' };
    case 'gemini': return {
      name: `models/${m.id}`, baseModelId: m.id, version: '001', displayName: m.id, description: `served by ${m.provider}`,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent'],
    };
  }
}

export function modelList(family: ApiFamily, models: ListedModel[]): JsonObject {
  switch (family) {
    case 'openai': return { object: 'list', data: models.map((m) => one(family, m)) };
    case 'anthropic': return {
      data: models.map((m) => one(family, m)), has_more: false,
      first_id: models[0]?.id ?? null, last_id: models[models.length - 1]?.id ?? null,
    };
    case 'gemini': return { models: models.map((m) => one(family, m)) };
  }
}

/** One model's object; `m` is the listed (or route-matched) model, undefined when none is served. */
export function modelInfo(family: ApiFamily, m: ListedModel | undefined, id: string): JsonObject {
  if (!m) throw new GatewayError('SLUICE_E_MODEL_NOT_FOUND', `The model \`${id}\` does not exist or is not served by this gateway`, { param: 'model' });
  return one(family, m);
}
