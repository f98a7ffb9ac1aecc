// Reads a YAML config: syntax errors, ${ENV} expansion and schema errors all point at file:line:col.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, visit, type Document } from '../vendor/yaml.js';
import { parseOptions, SchemaError, type Path } from '../schema/schema.js';
import { combineConfigErrors, ConfigError, type ConfigLocation } from './config-error.js';
import { EnvReferenceError, MissingEnvError, expandEnv } from './env.js';
import { configBaseDir } from './home.js';
import { configSchema, type SluiceConfig } from './schema.js';
import { configErrorFrom } from './zod-errors.js';

export interface LoadedConfig {
  file: string;
  /**
   * What relative paths in the config (SQLite files, plugin files, plugin options) resolve against:
   * the file's directory, or $SLUICE_HOME for a config shipped inside the package (see home.ts).
   */
  dir: string;
  config: SluiceConfig;
  /** Where a value (or the key of an unknown option) stands in the file. */
  locate(path: Path): ConfigLocation;
  /** Throws a ConfigError for a SchemaError raised on a value at `base` in this file. */
  fail(err: SchemaError, base?: Path): never;
  /**
   * SHA-256 of the file's text as read (before ${ENV} expansion): the config file watch compares the
   * file on disk with it, so a save that changes nothing reloads nothing (watch.ts).
   */
  digest: string;
}

/** Top-level sections a command may do without. */
export type OptionalSection = 'providers' | 'admin';

export interface ParseOptions {
  /**
   * Sections whose `${VAR}` may be unset: an entry naming an unset variable is left out of the
   * config instead of refused (a provider, or the admin section). For commands that never read
   * them: a report or `sluice key create`, run from a shell without the gateway's secrets, needs no
   * provider's key. Everything else — the database URL, the chain — is expanded as at start-up.
   */
  optional?: readonly OptionalSection[];
}

/** The digest of a config file's content (LoadedConfig.digest; the watch hashes the bytes it reads alike). */
export function configDigest(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, options: ParseOptions = {}): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${abs}: ${unreadable(abs, err as NodeJS.ErrnoException, env)}`);
  }
  return parseConfigText(text, abs, env, configBaseDir(abs, env), options);
}

/** Why a config file could not be read, and what to do about it. */
function unreadable(file: string, err: NodeJS.ErrnoException, env: NodeJS.ProcessEnv): string {
  const code = err.code ?? String(err);
  if (code === 'ENOENT') {
    // A SLUICE_CONFIG exported in another session and forgotten is the likeliest cause.
    const named = env['SLUICE_CONFIG'] && path.resolve(env['SLUICE_CONFIG']) === file;
    return `no such file (ENOENT); ${named ? "it is $SLUICE_CONFIG's value: fix or unset it" : '`sluice init` writes a starter sluice.yaml'}`;
  }
  if (code === 'EISDIR') return `a directory, not a file (EISDIR); name the YAML file, e.g. ${path.join(file, 'sluice.yaml')}`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code}); run as a user who may read it`;
  return code;
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env, dir = path.dirname(file), options: ParseOptions = {}): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): ConfigLocation => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const syntax = doc.errors[0];
  if (syntax) throw new ConfigError(`invalid YAML: ${yamlProblem(syntax.code, syntax.message, text, syntax.pos[0])}`, at(syntax.pos[0]));
  // The parser only warns about a tag it does not know (`!Ref x`, a habit from other tools' YAML) and
  // reads the value as plain text: a config would then run with a value its author did not mean.
  const unknownTag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag) throw new ConfigError(`invalid YAML: ${yamlProblem(unknownTag.code, unknownTag.message, text, unknownTag.pos[0])} (a Sluice config takes plain YAML values)`, at(unknownTag.pos[0]));
  // The parser accepts an alias to an anchor that is not there and only fails when the document is
  // turned into values, with a bare ReferenceError (a stack trace, no line): check them here.
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      firstAlias ??= node.range?.[0] ?? 0;
      if (!node.resolve(doc)) {
        throw new ConfigError(`invalid YAML: alias *${node.source} has no anchor &${node.source} before it`, at(node.range?.[0] ?? 0));
      }
    },
  });

  const leftOut: string[][] = [];
  // Every unset variable at once: a deploy that names one at a time costs a round per variable.
  const unset: ConfigError[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string') return;
      try {
        node.value = expandEnv(node.value, env);
      } catch (err) {
        const entry = err instanceof MissingEnvError ? optionalEntry(ancestors, options.optional) : undefined;
        if (entry) { leftOut.push(entry); return; }
        if (err instanceof MissingEnvError) { unset.push(new ConfigError(err.message, at(node.range?.[0] ?? 0))); return; }
        if (err instanceof EnvReferenceError) throw new ConfigError(err.message, at(node.range?.[0] ?? 0));
        throw err;
      }
    },
  });
  if (unset.length) throw combineConfigErrors(unset);
  for (const entry of leftOut) doc.deleteIn(entry);

  const locate = (p: Path): ConfigLocation => at(offsetOf(doc, p));
  const fail = (err: SchemaError, base: Path = []): never => {
    throw configErrorFrom(err, locate, base);
  };

  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // yaml refuses aliases that expand past its limit (a "billion laughs" file) with a ReferenceError.
    if (err instanceof ReferenceError) throw new ConfigError(`invalid YAML: ${err.message}`, at(firstAlias ?? 0));
    throw err;
  }
  let config: SluiceConfig;
  try {
    config = parseOptions(configSchema, value ?? {});
  } catch (err) {
    if (err instanceof SchemaError) fail(err);
    throw err;
  }
  return { file, dir, config, locate, fail, digest: configDigest(text) };
}

/** The entry of an optional section a scalar lies in (`['providers', name]`, `['admin']`), if it does. */
function optionalEntry(ancestors: readonly unknown[], optional: readonly OptionalSection[] | undefined): string[] | undefined {
  if (!optional?.length) return undefined;
  // [Document, root map, top-level pair, its map, the entry's pair, …]
  const keyOf = (pair: unknown): unknown => (isPair(pair) && isScalar(pair.key) ? pair.key.value : undefined);
  const section = keyOf(ancestors[2]);
  if (section === 'admin' && optional.includes('admin')) return ['admin'];
  const name = keyOf(ancestors[4]);
  if (section === 'providers' && optional.includes('providers') && typeof name === 'string') return ['providers', name];
  return undefined;
}

/** The offset of the deepest node on `p` that exists; for a missing key, the key (or list item) holding its mapping. */
function offsetOf(doc: Document, p: Path): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number] } | null)?.range?.[0] ?? 0;
  /** Where the key holding `node` is: a key missing from `node` is pointed at there (`with:`), not at the map's first entry. */
  let holder = offset;
  for (const part of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(part));
      if (!pair) return holder;
      const keyRange = (pair.key as { range?: [number, number] }).range;
      holder = keyRange?.[0] ?? offset;
      const value = pair.value as { range?: [number, number]; flow?: boolean } | null;
      // Point at the value when it exists, else at the key (an empty `with:` for instance). A block
      // mapping or list begins on the line after its key, with its first entry: pointed at, an error
      // about the whole (an unknown option, the wrong type) would seem to be about that entry.
      const block = (isMap(value) || isSeq(value)) && !value.flow;
      offset = (block ? undefined : value?.range?.[0]) ?? keyRange?.[0] ?? offset;
      node = pair.value;
      continue;
    }
    const items = (node as { items?: unknown[] } | null)?.items;
    if (Array.isArray(items) && typeof part === 'number' && items[part] !== undefined) {
      node = items[part];
      offset = (node as { range?: [number, number] }).range?.[0] ?? offset;
      holder = offset;
      continue;
    }
    return offset;
  }
  return offset;
}

/**
 * The parser's message, first line only (the rest repeats the line), worded for someone editing a
 * config where the parser's own wording is advice to a programmer calling it. Indentation mistakes,
 * the commonest in hand-edited YAML, say what to change ("compact mappings" names nothing a config's
 * author wrote).
 */
function yamlProblem(code: string, message: string, text: string, offset: number): string {
  if (code === 'MULTIPLE_DOCS') return 'a second document (a `---` line) where the config file holds one';
  if (code === 'BLOCK_AS_IMPLICIT_KEY') {
    const value = restOfLine(text, offset);
    return value.includes(': ')
      ? `"${value}" holds ": ", which YAML reads as a key inside a value: quote the value, or put its keys on lines of their own, indented under its key`
      : `"${value}" is followed by a line indented deeper than its key, as if it held keys of its own: indent that line as far as the key above it`;
  }
  if (code === 'BAD_INDENT' && message.startsWith('All mapping items must start at the same column')) {
    return 'this key does not start at the column of the keys above it: indent it exactly as far as they are (YAML nests by indentation)';
  }
  if (code === 'DUPLICATE_KEY') return `"${keyAt(text, offset)}" is given twice in this mapping: keep one`;
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The text from `offset` to the end of its line, without a trailing comment. */
function restOfLine(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  return text.slice(offset, end === -1 ? undefined : end).replace(/\s+#.*$/, '').trim();
}

/** The key written at `offset` (up to its `:`), unquoted. */
function keyAt(text: string, offset: number): string {
  const key = /^("[^"]*"|'[^']*'|[^:,{}\n]*?)\s*:/.exec(text.slice(offset))?.[1] ?? restOfLine(text, offset);
  return /^["']/.test(key) ? key.slice(1, -1) : key;
}
