// What the admin API and the CLI accept, as zod schemas: one validation for both, and the source
// of the admin API's OpenAPI document.
import { formatPath, GatewayError, parseOptions, SchemaError, z } from '../../core/index.js';
import { email, expiry, keyKind, keyLabel, modelGlob, positiveInt, teamName, usd, userName } from './names.js';

export const teamCreate = z.strictObject({ name: teamName });
export const teamUpdate = z.strictObject({ name: teamName.optional().describe('Renames the team.') });

export const userCreate = z.strictObject({
  name: userName,
  team: teamName.optional(),
  email: email.optional(),
});
export const userUpdate = z.strictObject({
  team: teamName.nullable().optional().describe('null: no team.'),
  email: email.nullable().optional(),
});

const models = z.array(modelGlob).min(1).describe('Model globs this key may use (`*` matches any run of characters), checked against the model actually served. Absent: every model.');
const expires = expiry.describe('A duration from now (30d, 12h, 90m, 2w) or a date (2026-12-31, UTC) or ISO date-time.');

export const keyCreate = z.strictObject({
  user: userName,
  team: teamName.optional().describe('The team the key acts for; default: the user\'s.'),
  name: keyLabel.optional().describe('A label for listings.'),
  kind: keyKind.default('user'),
  models: models.optional(),
  expires: expires.optional(),
  rpm: positiveInt.optional().describe('Requests per minute (enforced by the ratelimit plugin).'),
  tpm: positiveInt.optional().describe('Tokens per minute (enforced by the ratelimit plugin).'),
  budget_daily_usd: usd.optional(),
  budget_monthly_usd: usd.optional(),
});
export const keyUpdate = z.strictObject({
  name: keyLabel.nullable().optional(),
  team: teamName.nullable().optional(),
  models: models.nullable().optional(),
  expires: expires.nullable().optional(),
  rpm: positiveInt.nullable().optional(),
  tpm: positiveInt.nullable().optional(),
  budget_daily_usd: usd.nullable().optional(),
  budget_monthly_usd: usd.nullable().optional(),
});

export type TeamCreate = z.output<typeof teamCreate>;
export type TeamUpdate = z.output<typeof teamUpdate>;
export type UserCreate = z.output<typeof userCreate>;
export type UserUpdate = z.output<typeof userUpdate>;
export type KeyCreate = z.output<typeof keyCreate>;
export type KeyUpdate = z.output<typeof keyUpdate>;

/**
 * Validates input; a bad value is a 400 naming the field (`param`), e.g. `models[1]`. JSON's own
 * types only: a string where a number goes is refused (the CLI turns its flags into numbers first,
 * strictly: cli-keys.ts).
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, describeParam: (param: string) => string = (p) => p): T {
  try {
    return parseOptions(schema, value ?? {}, { spelled: false });
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    const problem = err.problems[0]!;
    const param = formatPath(problem.path);
    throw new GatewayError('SLUICE_E_INVALID_REQUEST', param ? `${describeParam(param)}: ${problem.message}` : problem.message, { param: param || null });
  }
}
