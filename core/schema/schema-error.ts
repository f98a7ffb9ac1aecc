// The error option parsing throws, and the path formatting it uses. Free of zod at run time, so
// code that only needs to recognise the error (the CLI's top level) does not load zod for it.
import type { z } from 'zod';

export type Path = ReadonlyArray<string | number>;

export interface Problem {
  path: Path;
  /** "expected …, got …", or the message the schema's author wrote. */
  message: string;
}

export class SchemaError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    /** zod's issues, as zod reported them. */
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(problems.map((p) => `${formatPath(p.path) || '(root)'}: ${p.message}`).join('\n'));
    this.name = 'SchemaError';
  }
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
