// One wording for command-line mistakes, core's commands and plugins' alike.

/** node:util's parseArgs message, shortened to its first sentence in lower case: "unknown option '--prot'". */
export function describeParseError(err: Error): string {
  const first = err.message.split(/\.\s/)[0]!.replace(/\.$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}
