// A real nginx for tests: installed from the system packages when missing (apt, as root — CI runs
// as root), then run as our own foreground process with every path (pid, logs, temp files) in a
// temp dir, so nothing root-owned or system-wide is touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export { freePort } from './gateway.js';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx', '/usr/local/nginx/sbin/nginx'];

function findNginx(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'nginx')), ...CANDIDATES];
  for (const file of dirs) {
    try { accessSync(file, constants.X_OK); return file; } catch { /* next */ }
  }
  return undefined;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: `${stdout}${stderr}${err ? `\n${err.message}` : ''}` });
    });
  });
}

let installing: Promise<{ path?: string; reason?: string }> | undefined;

/**
 * The nginx binary, installing it with apt-get when it is missing and we are root. Resolves to a
 * reason instead when it cannot be had (not root, no apt, no network): the caller skips with it.
 */
export function ensureNginx(): Promise<{ path?: string; reason?: string }> {
  return (installing ??= (async () => {
    const found = findNginx();
    if (found) return { path: found };
    if (process.getuid?.() !== 0) return { reason: 'nginx is not installed and installing it needs root (apt-get install nginx)' };
    if (!findOnPath('apt-get')) return { reason: 'nginx is not installed and there is no apt-get to install it with' };
    // Another apt run (a second test process, unattended upgrades) holds the lock: wait for it.
    const install = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', 'nginx'];
    let r = await run('apt-get', install, 240_000);
    if (!r.ok) {
      // Stale or empty package lists (a fresh container): refresh them once, then retry.
      const update = await run('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=120'], 120_000);
      if (update.ok) r = await run('apt-get', install, 240_000);
    }
    const installed = findNginx();
    return installed ? { path: installed } : { reason: `apt-get install nginx failed: ${r.output.trim().split('\n').slice(-3).join(' | ')}` };
  })());
}

function findOnPath(name: string): boolean {
  for (const dir of [...(process.env['PATH'] ?? '').split(':'), '/usr/bin', '/usr/sbin']) {
    try { accessSync(path.join(dir, name), constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}

export interface RunningNginx {
  child: ChildProcess;
  dir: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Runs nginx in the foreground with `httpConf` (http-context directives: upstreams and servers)
 * wrapped in a main config whose every path is under `dir`. Resolves once `probeUrl` answers.
 */
export async function startNginx(binary: string, dir: string, httpConf: string, probeUrl: string): Promise<RunningNginx> {
  for (const d of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) mkdirSync(path.join(dir, d), { recursive: true });
  // As root, nginx's workers run as `nobody` and must reach the temp dirs (mkdtemp makes them 0700).
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, 'sluice.conf'), httpConf);
  writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 512; }
http {
    access_log ${dir}/logs/access.log;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    include ${dir}/sluice.conf;
}
`);
  const output: string[] = [];
  const child = spawn(binary, ['-p', dir, '-e', path.join(dir, 'logs/error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  const errorLog = () => { try { return readFileSync(path.join(dir, 'logs/error.log'), 'utf8'); } catch { return ''; } };
  for (const deadline = Date.now() + 10_000; ;) {
    try { if ((await fetch(probeUrl)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start:\n${output.join('')}\n${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, dir, errorLog,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGQUIT'); // graceful: workers finish what they serve
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}
