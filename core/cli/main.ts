// The `sluice` command line. Human-readable output by default, --json for scripts, non-zero exits
// on every error.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { loadConfigFile } from '../config/load.js';
import { createGateway } from '../app.js';
import { listen } from '../server.js';
import { importPlugin } from '../plugin/loader.js';
import { builtinNames } from '../plugin/resolve.js';
import { parseOptions, SchemaError } from '../schema/schema.js';
import { SLUICE_VERSION } from '../version.js';
import { createLogger } from '../observability/logger.js';
import { table } from './table.js';
import { commandHost, openServices } from '../plugin/services.js';

const DEFAULT_CONFIG = 'config/sluice.yaml';

const HELP = `sluice ${SLUICE_VERSION} — LLM API gateway

Usage:
  sluice start [--config FILE] [--port N] [--host H]   start the gateway
  sluice config validate [FILE]                        check a config file
  sluice config schema [--config FILE]                 print the config file's JSON Schema (for editors)
  sluice plugins [--config FILE] [--json]              show the resolved chain
  sluice scan [FILE|-] [--json] [--config FILE]        run the firewall detectors over text
  sluice --version

The config file defaults to $SLUICE_CONFIG, else ${DEFAULT_CONFIG}.`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}
const stdio: Io = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

function configPath(flag: string | undefined): string {
  return flag ?? process.env['SLUICE_CONFIG'] ?? DEFAULT_CONFIG;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start': return await start(rest, io);
      case 'config': return await configCommand(rest, io);
      case 'plugins': return await pluginsCommand(rest, io);
      case '--version': case '-v': io.out(SLUICE_VERSION); return 0;
      case undefined: case 'help': case '--help': case '-h': io.out(HELP); return command ? 0 : 2;
      default:
        // Plugin commands (scan) use exit 1 for "found something", so their errors exit 2.
        return await pluginCommand(command, rest, io).catch((err: Error) => { io.err(`error: ${err.message}`); return 2; });
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SchemaError) { io.err(`error: ${err.message}`); return 1; }
    io.err(`error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

async function start(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } } });
  const loaded = await loadConfigFile(configPath(values.config));
  const gateway = await createGateway(loaded);
  const port = values.port !== undefined ? Number(values.port) : loaded.config.server.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) { io.err(`error: --port must be a port number, got ${values.port}`); return 2; }
  const host = values.host ?? loaded.config.server.host;
  let running;
  try {
    running = await listen(gateway, port, host);
  } catch (err) {
    await gateway.close();
    throw err;
  }
  gateway.logger.info('listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${running.port}`, config: loaded.file, version: SLUICE_VERSION });
  const stop = (signal: string) => { running.shutdown(signal).then(() => process.exit(0), () => process.exit(1)); };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // SIGHUP reloads routes, aliases and other plugin options; a bad file is logged and ignored.
  process.on('SIGHUP', () => {
    gateway.reload().catch((err: Error) => gateway.logger.error('config reload rejected; keeping the running config', { error: err.message }));
  });
  return await new Promise<number>(() => { /* runs until a signal */ });
}

async function configCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'schema') return (await import('./config-schema.js')).configSchemaCommand(rest, io);
  if (sub !== 'validate') { io.err('usage: sluice config validate [FILE] | sluice config schema'); return 2; }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const file = configPath(positionals[0]);
  try {
    const loaded = await loadConfigFile(file);
    // Setting the plugins up (without listening) is what catches cross-references such as a route
    // to a provider that does not exist.
    const gateway = await createGateway(loaded, { logger: createLogger({ level: 'silent' }) });
    await gateway.close();
    const chain = gateway.plugins;
    if (values.json) io.out(JSON.stringify({ valid: true, file: loaded.file, plugins: chain.map((p) => p.definition.name) }));
    else io.out(`${loaded.file}: valid (${chain.length} plugins, ${Object.keys(loaded.config.providers).length} providers)`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (values.json) io.out(JSON.stringify({ valid: false, error: err.message, location: err.location }));
    else io.err(`error: ${err.message}`);
    return 1;
  }
}

async function pluginsCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } });
  const loaded = await loadConfigFile(configPath(values.config));
  const { loadChain } = await import('../plugin/loader.js');
  const chain = await loadChain(loaded);
  const rows = chain.map((p) => ({
    position: p.index + 1, name: p.label, plugin: p.definition.name, version: p.definition.version,
    source: p.source, use: p.use, supports: p.definition.sluice,
  }));
  if (values.json) io.out(JSON.stringify(rows));
  else io.out(table(rows, ['position', 'name', 'version', 'source', 'use', 'supports']));
  return 0;
}

/** Commands contributed by plugins (`sluice scan` comes from the firewall). */
async function pluginCommand(command: string, args: string[], io: Io): Promise<number> {
  const { values, tokens } = parseArgs({ args, strict: false, tokens: true, options: { config: { type: 'string', short: 'c' } } });
  // Hand the plugin its arguments without --config, which core consumes.
  const rest: string[] = [];
  for (const tok of tokens ?? []) {
    if (tok.kind === 'option' && tok.name === 'config') continue;
    if (tok.kind === 'option') rest.push(tok.rawName + (tok.inlineValue && tok.value !== undefined ? `=${tok.value}` : ''), ...(!tok.inlineValue && tok.value !== undefined ? [tok.value] : []));
    else if (tok.kind === 'positional') rest.push(tok.value);
    else rest.push('--');
  }
  const configFile = typeof values.config === 'string' ? values.config : undefined;
  const loaded = configFile || process.env['SLUICE_CONFIG'] ? await loadConfigFile(configPath(configFile)) : undefined;
  const candidates = loaded ? loaded.config.chain.map((e, i) => ({ use: e.use, with: e.with, index: i as number | undefined })) : [];
  for (const name of builtinNames()) if (!candidates.some((c) => c.use === name)) candidates.push({ use: name, with: undefined, index: undefined });
  for (const candidate of candidates) {
    const { definition } = await importPlugin(candidate.use, loaded?.dir ?? process.cwd());
    const cmd = definition.commands?.[command];
    if (!cmd) continue;
    let options: unknown;
    try {
      options = parseOptions(definition.options, candidate.with ?? {});
    } catch (err) {
      if (err instanceof SchemaError && loaded && candidate.index !== undefined) loaded.fail(err, ['chain', candidate.index, 'with']);
      throw err;
    }
    // The command gets the config's storage (database with migrations applied, Redis) and settings.
    const hostConfig = loaded ?? await loadConfigFile(configPath(undefined));
    const services = openServices(hostConfig, () => []);
    try {
      const host = commandHost(hostConfig, services, createLogger({ level: hostConfig.config.logging.level }).child({ command }));
      return await cmd.run(rest, options, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, host);
    } finally {
      await services.close();
    }
  }
  io.err(`error: unknown command "${command}"\n\n${HELP}`);
  return 2;
}
