// One wording for command-line mistakes, core's commands and plugins' alike.

/**
 * node:util's parseArgs message, shortened to its first sentence in lower case: "unknown option
 * '--prot'". A value starting with a dash (`--since -7d`) reads to parseArgs as the next option; its
 * message names the way out only in a later sentence, kept here.
 */
export function describeParseError(err: unknown): string {
  // `unknown`: what a `catch` binds under strict TypeScript, so a command hands it on as caught.
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, '');
  const dashed = /argument is ambiguous/.test(first) ? /'(--[^'=]+)=-XYZ'/.exec(message)?.[1] : undefined;
  const said = first.charAt(0).toLowerCase() + first.slice(1);
  return dashed ? `${said}: a value starting with '-' is read as an option; write ${dashed}=VALUE` : said;
}
