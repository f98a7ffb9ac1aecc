// Commands contributed by plugins (`sluice scan` comes from the firewall). They use exit 1 for
// "found something", so their own errors exit 2 — a config problem too, unless the command names
// another code for it (`invalidConfigExit`: auth's commands keep 2 for an unreachable database).
import { existsSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { importOwn } from '../import-own.js';
import { chosenConfigFile, configFile } from './config-file.js';
import type { Knex } from 'knex';
import type { LoadedConfig, ParseOptions } from '../config/load.js';
import type { PluginCommand, PluginDefinition } from '../plugin/contract.js';
import type { CommandHost } from '../plugin/host.js';
import type { Services } from '../plugin/services.js';
import { maskUrl } from '../storage/connection-error.js';
import { isSqlite } from '../storage/is-sqlite.js';
import { sqliteFileOf } from '../storage/sqlite-file.js';
import { streamsOf, type Io } from './io.js';
import { HELP, UsageError } from './usage.js';

/** A plugin command's exit for an error of its own, and for a config problem unless it says otherwise. */
const ERROR_EXIT = 2;

/** Sections of the config a plugin command may do without (see loadConfigFile's `optional`). */
const COMMAND_CONFIG: ParseOptions = { optional: ['providers', 'admin'] };

export async function pluginCommand(command: string, args: string[], io: Io): Promise<number> {
  const { config, rest } = takeConfig(args);
  const file = chosenConfigFile(config);
  const [{ importPlugin }, { builtinsForCommand }, { parseOptions, SchemaError }] = await Promise.all([
    importOwn<typeof import('../plugin/loader.js')>(new URL('../plugin/loader.js', import.meta.url)),
    importOwn<typeof import('../plugin/resolve.js')>(new URL('../plugin/resolve.js', import.meta.url)),
    importOwn<typeof import('../schema/schema.js')>(new URL('../schema/schema.js', import.meta.url)),
  ]);
  // The config whose storage the command was given, to point at its setting if that storage fails.
  let hostConfig: LoadedConfig | undefined;
  // A config that cannot be read says nothing of which plugin adds the command: the built-in that
  // does (imported next anyway) answers for it until the config names another.
  let configExit = ERROR_EXIT;
  try {
    const [owner] = builtinsForCommand(command);
    if (owner) configExit = (await importPlugin(owner, process.cwd())).definition.commands?.[command]?.invalidConfigExit ?? ERROR_EXIT;
    // Without a config of the operator's, built-in plugins run with their default options (and
    // the YAML parser is not even loaded).
    // A command reads storage, the chain and its plugin's options, never a provider's key nor the
    // admin key: run from an operator's shell without the gateway's secrets, it must still run.
    const loaded = file ? await (await import('../config/load.js')).loadConfigFile(file, process.env, COMMAND_CONFIG) : undefined;
    const candidates = loaded ? loaded.config.chain.map((e, i) => ({ use: e.use, with: e.with, index: i as number | undefined })) : [];
    // Which plugin's command this is must not depend on chain order: a name two chain plugins (or
    // a chain plugin and Sluice) both claim is refused as start refuses it, before anything runs.
    if (loaded) {
      const { checkCommandNames } = await import('../plugin/command-names.js');
      const declarers = [];
      for (const [index, entry] of loaded.config.chain.entries()) {
        try {
          declarers.push({ index, use: entry.use, definition: (await importPlugin(entry.use, loaded.dir)).definition });
        } catch (err) {
          throw new ConfigError(`chain[${index}]: ${(err as Error).message}`, loaded.locate(['chain', index, 'use']));
        }
      }
      checkCommandNames(declarers, loaded);
    }
    // The chain's plugins first, in order; then the built-ins not in it (a command is one built-in's).
    for (const name of builtinsForCommand(command)) if (!candidates.some((c) => c.use === name)) candidates.push({ use: name, with: undefined, index: undefined });
    for (const candidate of candidates) {
      let definition: PluginDefinition<unknown>;
      try {
        ({ definition } = await importPlugin(candidate.use, loaded?.dir ?? process.cwd()));
      } catch (err) {
        // A chain entry that does not load is the config's problem, reported where start would.
        if (!loaded || candidate.index === undefined) throw err;
        throw new ConfigError(`chain[${candidate.index}]: ${(err as Error).message}`, loaded.locate(['chain', candidate.index, 'use']));
      }
      const cmd = definition.commands?.[command];
      if (!cmd) continue;
      // Help never runs the command (`sluice help CMD` asks it with --help): a command that reads no
      // flags — a purge, a sync — must not act, nor migrate the database, when asked how to use it.
      if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) { io.out(cmd.usage.replace(/\n+$/, '')); return 0; }
      configExit = cmd.invalidConfigExit ?? ERROR_EXIT;
      let options: unknown;
      try {
        options = parseOptions(definition.options, candidate.with ?? {});
      } catch (err) {
        if (err instanceof SchemaError && loaded && candidate.index !== undefined) loaded.fail(err, ['chain', candidate.index, 'with']);
        throw err;
      }
      const commandIo = streamsOf(io);
      if (cmd.usesHost === false) return await cmd.run(rest, options, commandIo, unusedHost(command));
      // The command gets the config's storage (database with migrations applied, unless the command
      // only reads; Redis) and settings: the operator's config, else the embedded default (the same
      // database `sluice start` would use).
      const [{ loadConfigFile }, { commandHost, migrationsOf, openServices }, { commandLogger }] = await Promise.all([
        import('../config/load.js'), import('../plugin/services.js'), import('./command-logger.js'),
      ]);
      hostConfig = loaded ?? await loadConfigFile(configFile(undefined), process.env, COMMAND_CONFIG);
      // The chain's migrations and the command's own plugin's: its tables exist before it runs (where it migrates).
      const chain = loaded ? await Promise.all(loaded.config.chain.map((e) => importPlugin(e.use, loaded.dir))) : [];
      // On stderr (stdout is the command's output), and made on first use: a command that logs
      // nothing (`scan`) never loads pino.
      const logger = commandLogger(hostConfig.config.logging.level, () => commandIo.stderr).child({ command });
      const migrations = () => migrationsOf([...chain, { definition }]);
      // A command that only reads uses its database as it is (readOnlyDatabase).
      const readsOnly = typeof cmd.readsOnly === 'function' ? cmd.readsOnly(rest) : cmd.readsOnly === true;
      const services = openServices(hostConfig, migrations, logger, { readOnly: readsOnly });
      const config = hostConfig;
      const read = readsOnly ? readOnlyDatabase(services, () => openServices(inMemory(config), migrations, logger), cmd, definition.name, config, io) : undefined;
      try {
        const host = commandHost(hostConfig, services, logger);
        if (read) host.database = read.database;
        return await cmd.run(rest, options, commandIo, host);
      } finally {
        await Promise.all([services.close(), read?.close()]);
      }
    }
  } catch (err) {
    // A storage failure is worded as a ConfigError (it points at storage.database) but is not one.
    const storage = hostConfig && (await import('./storage-failure.js')).storageFailure(err, hostConfig);
    io.err(`sluice: ${(storage ?? err as Error).message}`);
    return !storage && err instanceof ConfigError ? configExit : ERROR_EXIT;
  }
  throw new UsageError(`unknown command '${command}'`, HELP);
}

/**
 * Takes `--config FILE`, `--config=FILE` or `-c FILE` out of a plugin command's arguments (core
 * reads it) and hands the rest to the plugin as given. Not parseArgs: without the plugin's options
 * it read a value such as `--session -abc` as the short flags a, b and c, c taking the next
 * argument as the config file.
 */
function takeConfig(args: readonly string[]): { config: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') { rest.push(...args.slice(i)); break; }
    if (arg === '--config' || arg === '-c') config = args[++i];
    else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else { rest.push(arg); continue; }
    // Without its value the config would fall back to ./sluice.yaml or the embedded default, silently.
    if (!config) throw new UsageError(`option '${arg.startsWith('--config=') ? '--config' : arg}' needs a value: the config file`, HELP);
  }
  return { config, rest };
}

/** The config with an empty SQLite database in memory in place of its own. */
function inMemory(loaded: LoadedConfig): LoadedConfig {
  return { ...loaded, config: { ...loaded.config, storage: { ...loaded.config.storage, database: 'sqlite::memory:' } } };
}

/**
 * The database of a command that only reads, as it is. Where there is nothing to read — a SQLite
 * file not there yet (creating it would leave an empty ledger where a mistyped path meant another),
 * or none of the tables it reads (`readsTables`) — an empty one in memory instead, said once on
 * stderr. Decided on the command's first use of the database, so `--help` or a usage mistake warns
 * of nothing.
 */
function readOnlyDatabase(services: Services, emptyServices: () => Services, cmd: PluginCommand<unknown>, plugin: string, loaded: LoadedConfig, io: Io) {
  let empty: Services | undefined;
  let chosen: Promise<Knex> | undefined;
  const instead = async (why: string): Promise<Knex> => {
    io.err(`sluice: warning: ${why}; nothing to report`);
    empty = emptyServices();
    return empty.database();
  };
  const choose = async (): Promise<Knex> => {
    const file = sqliteFileOf(loaded.config.storage.database, loaded.dir);
    if (file !== undefined && file !== ':memory:' && !existsSync(file)) {
      const at = loaded.locate(['storage', 'database']);
      return instead(`${at.file}:${at.line}:${at.column}: storage.database: no database at ${file} yet (a gateway creates it when it first starts with this config)`);
    }
    const knex = await services.database();
    const tables = cmd.readsTables ?? [];
    if (tables.length === 0 || (await Promise.all(tables.map((t) => tableExists(knex, t)))).includes(true)) return knex;
    return instead(`${describeDatabase(loaded)}: no ${plugin} tables in this database (a gateway with '${plugin}' in its chain creates them when it starts)`);
  };
  return {
    database: () => (chosen ??= choose().catch((err: unknown) => { chosen = undefined; throw err; })),
    close: async () => { await empty?.close(); },
  };
}

/**
 * Whether a table exists, whatever the role may do with it: PostgreSQL's information_schema (knex's
 * hasTable) hides a table the role has no privilege on, which would read as "no ledger here" where
 * the report's own query says "permission denied".
 */
async function tableExists(knex: Knex, table: string): Promise<boolean> {
  if (isSqlite(knex)) return knex.schema.hasTable(table);
  const found = await knex.raw('select to_regclass(?) is not null as found', [table]) as { rows: { found: boolean }[] };
  return found.rows[0]?.found === true;
}

/** Where storage.database is set, and its URL with any password masked. */
function describeDatabase(loaded: LoadedConfig): string {
  const at = loaded.locate(['storage', 'database']);
  return `${at.file}:${at.line}:${at.column}: storage.database ${maskUrl(loaded.config.storage.database)}`;
}

/** The host of a command that declared `usesHost: false`: a use is that plugin's bug, said so. */
function unusedHost(command: string): CommandHost {
  return new Proxy({} as CommandHost, {
    get(_target, key) {
      throw new Error(`the '${command}' command declares usesHost: false, yet read host.${String(key)}`);
    },
  });
}
