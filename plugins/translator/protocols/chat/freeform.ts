// Chat `custom` tools take free text. The IR carries their calls as `{"input": "..."}` JSON; a
// Chat client that declared a custom tool must get a `custom` call back, not a function call.
import type { JsonObject } from '../../../../core/index.js';
import type { IrRequest } from '../../ir.js';
import { parseArguments } from '../../util.js';

export function freeformToolNames(request: IrRequest): ReadonlySet<string> {
  return new Set(request.tools.filter((t) => t.freeform !== undefined).map((t) => t.name));
}

export function customToolCall(id: string, name: string, args: string): JsonObject {
  const parsed = parseArguments(args);
  const input = typeof parsed['input'] === 'string' ? parsed['input'] : args;
  return { id, type: 'custom', custom: { name, input } };
}
