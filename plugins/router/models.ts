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

export function modelList(family: ApiFamily, models: ListedModel[], query: Readonly<Record<string, string>> = {}): JsonObject {
  switch (family) {
    case 'openai': return { object: 'list', data: models.map((m) => one(family, m)) };
    case 'anthropic': return {
      data: models.map((m) => one(family, m)), has_more: false,
      first_id: models[0]?.id ?? null, last_id: models[models.length - 1]?.id ?? null,
    };
    case 'gemini': return geminiPage(models, query);
  }
}

/** Google's list size when `pageSize` is absent or 0, and the most it returns in one page. */
const GEMINI_PAGE_SIZE = 50;
const GEMINI_MAX_PAGE_SIZE = 1000;

/**
 * One page of Google's `models.list`: `pageSize` models from the `pageToken` on, and a
 * `nextPageToken` while more are left (the @google/genai pager follows it). The token is the offset,
 * opaque to clients as Google's is.
 */
function geminiPage(models: ListedModel[], query: Readonly<Record<string, string>>): JsonObject {
  const size = query['pageSize'] === undefined ? 0 : Number(query['pageSize']);
  if (!Number.isInteger(size) || size < 0) throw new GatewayError('SLUICE_E_INVALID_REQUEST', 'pageSize must be a non-negative integer', { param: 'pageSize' });
  const token = query['pageToken'];
  // A token past the end (the list shrank on a reload since) gives an empty last page.
  const from = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(from) || from < 0) throw new GatewayError('SLUICE_E_INVALID_REQUEST', 'pageToken is not a token this list returned', { param: 'pageToken' });
  const to = from + Math.min(size || GEMINI_PAGE_SIZE, GEMINI_MAX_PAGE_SIZE);
  const page: JsonObject = { models: models.slice(from, to).map((m) => one('gemini', m)) };
  if (to < models.length) page['nextPageToken'] = Buffer.from(String(to), 'utf8').toString('base64url');
  return page;
}

/** One model's object; `m` is the listed (or route-matched) model, undefined when none is served. */
export function modelInfo(family: ApiFamily, m: ListedModel | undefined, id: string): JsonObject {
  if (!m) throw new GatewayError('SLUICE_E_MODEL_NOT_FOUND', `The model \`${id}\` does not exist or is not served by this gateway`, { param: 'model' });
  return one(family, m);
}
