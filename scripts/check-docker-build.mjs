#!/usr/bin/env node
// Replays the Dockerfile outside Docker (which cannot run where Sluice is developed), then runs
// what the image would run:
//   build stage  — COPY from the context (honouring .dockerignore) and every RUN, in a temp dir;
//   final stage  — COPY --from=build into a second temp dir (the image's /app), nothing else;
//   then         — `sluice config validate` on config/team.yaml and `sluice start` from that dir
//                  alone (the ENTRYPOINT and CMD), the HEALTHCHECK command against it, and SIGTERM.
// Every instruction is read from the Dockerfile itself, so the check cannot drift from it. What it
// cannot replay (FROM images, USER, root-owned paths) is listed at the end.
//
//   node scripts/check-docker-build.mjs            # takes a few minutes (npm ci from the registry)
//   KEEP=1 node scripts/check-docker-build.mjs     # keep the temp dir to look around
//   REUSE_NATIVE_FROM=node_modules node scripts/check-docker-build.mjs
//       # CI: the `npm rebuild` of native addons copies their compiled build/ from that (same Node,
//       # same platform) node_modules instead of compiling again (re2 takes ~10 min from source);
//       # every other step is replayed as written.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-docker-check-'));
const notReplayed = [];
const step = (what) => console.log(`\n== ${what}`);

/** Instructions per stage: [{ name, from, instructions: [{ op, args, raw }] }], continuations joined. */
function parseDockerfile(text) {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else if (stages.length) {
      stages.at(-1).instructions.push({ op: op.toUpperCase(), args, raw: line });
    }
  }
  return stages;
}

/** A .dockerignore matcher for the forms it uses: names, paths, `*` and `**` globs. */
function dockerignore(file) {
  const patterns = existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/^\/+|\/+$/g, '').split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('(?:.*/)?')}(?:/.*)?$`));
  return (rel) => regexes.some((r) => r.test(rel));
}

function copy(from, to, ignored) {
  cpSync(from, to, { recursive: true, filter: (src) => !ignored || src === from || !ignored(path.relative(root, src).split(path.sep).join('/')) });
}

function run(cmd, cwd) {
  console.log(`$ ${cmd}`);
  const r = spawnSync('sh', ['-c', cmd], { cwd, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`);
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function jsonArray(args, what) {
  try { return JSON.parse(args); } catch { throw new Error(`${what} must be in exec form (a JSON array): ${args}`); }
}

const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const build = stages[0];
const final = stages.at(-1);
if (stages.length < 2 || !build.name) throw new Error('expected a named build stage and a final stage');
const dirs = { [build.name]: path.join(tmp, 'build') };
const ignored = dockerignore(path.join(root, '.dockerignore'));

try {
  step(`build stage (${build.from}) in ${dirs[build.name]}`);
  let cwd = dirs[build.name];
  let workdir = '/';
  mkdirSync(cwd, { recursive: true });
  for (const { op, args, raw } of build.instructions) {
    if (op === 'WORKDIR') { workdir = args; continue; } // the temp dir stands for it
    if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const dest = parts.pop();
      for (const src of parts) {
        const target = src === '.' ? cwd : path.join(cwd, dest === './' || dest === '.' ? path.basename(src) : dest);
        console.log(`copy ${src} -> ${path.relative(tmp, target) || '.'}`);
        copy(path.join(root, src), target, ignored);
      }
      continue;
    }
    if (op === 'RUN') {
      const rebuild = /^npm rebuild\s+(.+)$/.exec(args);
      if (rebuild && process.env.REUSE_NATIVE_FROM) {
        for (const pkg of rebuild[1].trim().split(/\s+/)) {
          const from = path.resolve(root, process.env.REUSE_NATIVE_FROM, pkg, 'build');
          console.log(`reuse ${pkg}/build from ${from} (instead of: ${args})`);
          cpSync(from, path.join(cwd, 'node_modules', pkg, 'build'), { recursive: true });
        }
        notReplayed.push(`build: ${raw} (its compiled output copied from ${process.env.REUSE_NATIVE_FROM})`);
        continue;
      }
      run(args, cwd);
      continue;
    }
    notReplayed.push(`build: ${raw}`);
  }
  const buildRoot = cwd;
  const buildWorkdir = workdir;

  step(`final stage (${final.from})`);
  const app = path.join(tmp, 'app');
  mkdirSync(app, { recursive: true });
  let entrypoint = [];
  let cmd = [];
  let healthcheck;
  const env = {};
  for (const { op, args, raw } of final.instructions) {
    if (op === 'COPY') {
      const m = /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(args);
      if (!m || m[1] !== build.name) throw new Error(`final stage: only COPY --from=${build.name} SRC DEST is replayed: ${raw}`);
      const src = path.join(buildRoot, path.relative(buildWorkdir, m[2]));
      console.log(`copy ${m[2]} -> ${m[3]}`);
      cpSync(src, path.join(app, m[3]), { recursive: true });
    } else if (op === 'ENV') {
      for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k] = v;
    } else if (op === 'ENTRYPOINT') entrypoint = jsonArray(args, 'ENTRYPOINT');
    else if (op === 'CMD') cmd = jsonArray(args, 'CMD');
    else if (op === 'HEALTHCHECK') healthcheck = jsonArray(args.slice(args.indexOf('CMD ') + 4), 'HEALTHCHECK CMD');
    else if (op !== 'WORKDIR') notReplayed.push(`final: ${raw}`);
  }

  step('the final stage holds production dependencies only, and no sources or tests');
  const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8'));
  const leaked = Object.keys(pkg.devDependencies ?? {}).filter((d) => existsSync(path.join(app, 'node_modules', d)));
  if (leaked.length) throw new Error(`devDependencies in the final stage: ${leaked.join(', ')}`);
  for (const d of ['test', 'bench', 'core', 'plugins', 'dist/test', 'dist/bench']) if (existsSync(path.join(app, d))) throw new Error(`${d} is in the final stage`);
  console.log(`node_modules: ${readdirSync(path.join(app, 'node_modules')).length} entries, none a devDependency; dist: ${readdirSync(path.join(app, 'dist')).join(', ')}`);

  const runtimeEnv = { ...process.env, ...env, SLUICE_HOME: path.join(tmp, 'data') };
  delete runtimeEnv.SLUICE_CONFIG;
  mkdirSync(runtimeEnv.SLUICE_HOME, { recursive: true });
  const node = (args, extra = {}) => [entrypoint[0] === 'node' ? process.execPath : entrypoint[0], [...entrypoint.slice(1), ...args], { cwd: app, env: { ...runtimeEnv, ...extra } }];

  step('sluice config validate config/team.yaml (as mounted by examples/compose/compose.yaml)');
  const [bin, validateArgs, opts] = node(['config', 'validate', path.join(app, 'config/team.yaml')], {
    SLUICE_DB_PASSWORD: 'x', SLUICE_ADMIN_KEY: 'admin-key-0123456789', OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'x', GEMINI_API_KEY: 'x',
  });
  console.log(execFileSync(bin, validateArgs, { ...opts, encoding: 'utf8' }).trim());

  step(`${[...entrypoint, ...cmd].join(' ')} from the final stage alone`);
  const port = await freePort();
  const config = path.join(tmp, 'sluice.yaml');
  writeFileSync(config, `server: { host: 127.0.0.1, port: ${port} }
storage: { database: "sqlite:${path.join(runtimeEnv.SLUICE_HOME, 'sluice.db')}" }
providers: { local: { type: loopback } }
chain:
  - use: firewall
    with: { mode: monitor }
  - use: router
    with: { default: local }
  - use: translator
  - use: ledger
    with: { spill_dir: "${path.join(runtimeEnv.SLUICE_HOME, 'ledger-spill')}" }
`);
  const [startBin, startArgs, startOpts] = node(cmd, { SLUICE_CONFIG: config });
  const child = spawn(startBin, startArgs, { ...startOpts, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    let ready;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && child.exitCode === null;) {
      try { ready = await fetch(`http://127.0.0.1:${port}/ready`); if (ready.ok) break; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready?.ok) throw new Error(`/ready did not answer 200 (${ready?.status ?? 'no answer'})`);
    console.log(`GET /ready -> ${ready.status} ${await ready.text()}`);
    const chat = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    if (chat.status !== 200) throw new Error(`a chat completion answered ${chat.status}`);
    console.log(`POST /v1/chat/completions -> ${chat.status}`);
    if (healthcheck) {
      const [hBin, ...hArgs] = healthcheck;
      const h = spawnSync(hBin === 'node' ? process.execPath : hBin, hArgs, { cwd: app, env: { ...runtimeEnv, SLUICE_PORT: String(port) }, stdio: 'inherit', timeout: 10_000 });
      if (h.status !== 0) throw new Error(`HEALTHCHECK exited ${h.status}`);
      console.log('HEALTHCHECK -> exit 0');
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`sluice exited ${code} on SIGTERM`);
    console.log('SIGTERM -> exit 0');
  }

  step('not replayed (need Docker)');
  for (const line of notReplayed) console.log(`  ${line}`);
  console.log(`\nOK: the image's build steps and its runtime check pass (${tmp}${process.env.KEEP ? '' : ', removed'})`);
} finally {
  if (!process.env.KEEP) rmSync(tmp, { recursive: true, force: true });
}
