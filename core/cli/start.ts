// `sluice start`: load the config, build the gateway, listen, and serve until a signal.
import { setFlagsFromString } from 'node:v8';
import { configFile } from './config-file.js';
import type { Io } from './io.js';
import { parseCommand, stringValue, UsageError, USAGE } from './usage.js';

export async function start(args: string[], io: Io): Promise<number> {
  const { values, help } = parseCommand(args, USAGE.start, {
    config: { type: 'string', short: 'c' }, port: { type: 'string', short: 'p' }, host: { type: 'string' },
  });
  if (help) { io.out(USAGE.start); return 0; }
  const portFlag = stringValue(values, 'port');
  if (portFlag !== undefined && !(/^\d{1,5}$/.test(portFlag) && Number(portFlag) <= 65535)) {
    throw new UsageError(`--port must be a port number from 0 to 65535, got '${portFlag}'`, USAGE.start);
  }

  tuneGcForServing();
  // A SIGHUP while starting (migrations and plugins' start() take seconds) would end the process:
  // Node's default for the signal. It is remembered, and the reload runs once the gateway serves.
  let reloadAsked = false;
  const askReload = () => { reloadAsked = true; };
  process.on('SIGHUP', askReload);
  const { loadConfigFile } = await import('../config/load.js');
  const loaded = await loadConfigFile(configFile(stringValue(values, 'config')));
  const { server } = loaded.config;
  if (server.listeners && (portFlag !== undefined || stringValue(values, 'host') !== undefined)) {
    throw new UsageError('--port and --host do not apply when server.listeners is set: each listener names its own', USAGE.start);
  }
  const [{ createGateway }, { listenAll, listenersOf }, { isPackagedConfig }, { SLUICE_VERSION }] = await Promise.all([
    import('../app.js'), import('../server.js'), import('../config/home.js'), import('../version.js'),
  ]);
  const gateway = await createGateway(loaded);
  const hostFlag = stringValue(values, 'host');
  const specs = server.listeners ? listenersOf(server)
    : [{ port: portFlag !== undefined ? Number(portFlag) : server.port, host: hostFlag ?? server.host, ...(hostFlag !== undefined ? { hostFlag: '--host' } : {}) }];
  let running: Awaited<ReturnType<typeof listenAll>>;
  try {
    running = await listenAll(gateway, specs);
  } catch (err) {
    await gateway.close();
    // Listening begins with migrations (gateway.start): a database that cannot be reached fails
    // here too, and its ENOTFOUND must not be taken for the listen address's.
    const storage = (await import('./storage-failure.js')).storageFailure(err, loaded);
    if (storage) throw storage;
    // Node names the address that failed; with several listeners it is the one to report.
    const e = err as { port?: number; address?: string };
    const port = e.port ?? specs[0]!.port;
    // --port does not apply to listeners (refused above): the one to change is in the file.
    const listener = server.listeners ? specs.findIndex((s) => s.port === port) : -1;
    const remedy = server.listeners ? `change server.listeners[${listener < 0 ? 0 : listener}].port in ${loaded.file}` : undefined;
    const failure = listenFailure(err, port, e.address ?? specs[0]!.host, remedy);
    if (!failure) throw err;
    io.err(`sluice: ${failure}`);
    return 1;
  }
  for (const l of running.listeners) {
    gateway.logger.info('listening', {
      url: `http://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`,
      ...(l.serve ? { serve: l.serve.join(',') } : {}),
      config: loaded.file,
      // The embedded default keeps its data under $SLUICE_HOME; say where, since no file names it.
      ...(isPackagedConfig(loaded.file) ? { sluice_home: loaded.dir } : {}),
      version: SLUICE_VERSION,
    });
  }
  // A rejection nobody handles — a plugin's background work, a throw inside its own
  // `exchange.completed.then(…)` — would otherwise end the process and every request in flight with
  // it (Node's default). It is the plugin's bug, so it is logged as one, and the gateway serves on.
  process.on('unhandledRejection', (reason) => {
    gateway.logger.error('unhandled promise rejection (a plugin\'s background work?); still serving', { error: reason });
  });
  // SIGHUP, and with server.watch_config a change to the file, reload routes, aliases, providers and
  // other plugin options through this one function: the same validation, the same atomic swap, the
  // same log line when a bad file is refused (and the running config kept).
  // Not once a shutdown has begun: it closes plugins and providers, and a reload would run plugins'
  // reload on closing instances and stage provider pools nothing closes any more.
  let shuttingDown = false;
  const reload = (trigger: 'SIGHUP' | 'file change') => {
    if (shuttingDown) {
      gateway.logger.warn('config reload ignored: the gateway is shutting down', { trigger });
      return Promise.resolve();
    }
    return gateway.reload()
      .catch((err: Error) => gateway.logger.error('config reload rejected; keeping the running config', { error: err.message, trigger }));
  };
  process.on('SIGHUP', () => { void reload('SIGHUP'); });
  process.off('SIGHUP', askReload);
  if (reloadAsked) void reload('SIGHUP');
  // The embedded default lives inside the package, which nobody edits: nothing to watch there.
  const watcher = server.watch_config && !isPackagedConfig(loaded.file)
    ? (await import('../config/watch.js')).watchConfigFile({ file: loaded.file, digest: loaded.digest, reload: () => reload('file change'), logger: gateway.logger })
    : undefined;
  // The first SIGTERM/SIGINT drains for up to shutdown_grace_ms. A second one (Ctrl-C pressed again)
  // means "now": in-flight requests are cut at once, but plugins still flush and close, so the ledger
  // loses nothing. The handlers stay installed for that: with `once`, Node's default for the second
  // signal would kill the process mid-shutdown, queued rows and all.
  // A third one ends the process at once: closing can hang on a database that stopped answering,
  // and the operator who insists must not need SIGKILL (what the writer had not written is lost).
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 3) {
      gateway.logger.error('third signal during the shutdown: exiting now, without waiting for plugins to close', { signal });
      process.exit(1);
    }
    if (signals > 1) {
      gateway.logger.warn('second signal during the shutdown: cutting in-flight requests now', { signal });
      void running.hurry(signal);
      return;
    }
    shuttingDown = true; // no reload may start during the shutdown (SIGHUP's are refused)…
    watcher?.close(); // …and the file is no longer watched
    running.shutdown(signal).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return await new Promise<number>(() => { /* runs until a signal */ });
}

/**
 * V8's allocation-site pretenuring watches which allocation sites' objects survive a scavenge and,
 * past a survival rate, allocates that site's objects straight in the old generation. A gateway
 * under load always has tens of requests in flight when a scavenge comes, so the sites of a
 * request's objects (the upstream call, its headers, the exchange) look long-lived and get tenured,
 * though each request ends a few ms later: the old generation then fills with dead requests and
 * pays mark-compacts for them. Off, on the JSON hot path at 50 connections (this machine,
 * --trace-gc-nvp, 60,000 requests): 1.48 → 0.22 KB promoted and 6.4 → 2.4–3.0 µs of GC pauses a
 * request, 3–11 µs of CPU a request by run (bench/results/hot-path-profile.md). Only for the serving process (a CLI
 * command never runs long enough to care), and not when the operator named the flag in
 * NODE_OPTIONS or on node's command line.
 */
function tuneGcForServing(): void {
  const named = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  if (!/allocation[-_]site[-_]pretenuring/.test(named)) setFlagsFromString('--no-allocation-site-pretenuring');
}

/** One line for the ways listening fails on an operator's machine; undefined for anything else. */
export function listenFailure(err: unknown, port: number, host: string, remedy = 'choose another with --port'): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EADDRINUSE': return `port ${port} on ${host} is already in use (EADDRINUSE); stop the other process or ${remedy}`;
    case 'EACCES': return `not allowed to listen on port ${port} on ${host} (EACCES); ports below 1024 need privileges`;
    case 'EADDRNOTAVAIL': return `${host} is not an address of this machine (EADDRNOTAVAIL); use 127.0.0.1, 0.0.0.0 or one of its addresses`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve the host name ${host} (${code})`;
    default: return undefined;
  }
}
