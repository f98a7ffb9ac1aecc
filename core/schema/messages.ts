// The messages of Sluice's option errors: "expected <what the schema accepts>, got <the value>".
// Passed to zod per parse (never installed globally, so a plugin's own use of zod keeps zod's
// messages); a message a schema author wrote on a check or refinement still wins over these.
import type { z } from 'zod';
import { describeSchema, describeValue } from './describe.js';
import { likelyMeant } from './likely-meant.js';

export function optionErrorMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = shapeKeys(issue.inst);
      const names = issue.keys.map((k) => `"${k}"`).join(', ');
      const guess = known && issue.keys.length === 1 ? likelyMeant(issue.keys[0]!, known) : undefined;
      const list = known ? ` (${guess ? `did you mean "${guess}"? ` : ''}known: ${known.length ? known.join(', ') : 'none'})` : '';
      return `expected no option${issue.keys.length > 1 ? 's' : ''} ${names}${list}`;
    }
    case 'invalid_key':
      return `expected ${describeSchema(recordKeyType(issue.inst))}, got ${describeValue(issue.input)}`;
    default:
      // `schema` is the schema a failed check belongs to: "an integer from 0 to 65535", not "<= 65535".
      return `expected ${describeSchema(issue.schema ?? asSchema(issue.inst))}, got ${describeValue(issue.input)}`;
  }
}

type Def = { shape?: Record<string, unknown>; keyType?: z.core.$ZodType };

function defOf(inst: unknown): Def | undefined {
  return (inst as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function shapeKeys(inst: unknown): string[] | undefined {
  const shape = defOf(inst)?.shape;
  return shape ? Object.keys(shape) : undefined;
}

function recordKeyType(inst: unknown): z.core.$ZodType | undefined {
  return defOf(inst)?.keyType;
}

function asSchema(inst: unknown): z.core.$ZodType | undefined {
  const traits = (inst as { _zod?: { traits?: Set<string> } } | undefined)?._zod?.traits;
  return traits?.has('$ZodType') ? (inst as z.core.$ZodType) : undefined;
}

