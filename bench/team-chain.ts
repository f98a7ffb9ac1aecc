// The full team chain — auth (api_key), firewall (monitor), router, translator, ledger, ratelimit on
// Redis — against the bare proxy (the floor) and the default chain (router → translator), in one run
// of bench/proxy-overhead.ts's machinery (same mock upstream, pinning, rounds, CPU per request).
// Results in bench/results/team-chain.md.
//
//   npx tsc -p . && node dist/bench/team-chain.js [--redis redis://127.0.0.1:6379] [proxy-overhead options…]
//
// Without --redis a private redis-server (no persistence) is started on a free port for the run.
// The key used has limits far above what the run sends: every request pays for the checks (one
// Lua script to reserve, one to settle, both on Redis), none is refused.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');

export interface TeamChain {
  configFile: string;
  /** Headers every request to it needs (the Sluice key). */
  headers: Record<string, string>;
}

/** Writes the team chain's config beside the bench's other targets and creates its team, user and key. */
export function prepareTeamChain(sluiceRoot: string, dir: string, mockUrl: string, redisUrl: string): TeamChain {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'sluice.yaml');
  const prefix = `sluice-bench:${process.pid}:${Date.now()}:`;
  writeFileSync(configFile, [
    '# written by bench/team-chain.ts: the full team chain, routed to the mock upstream',
    'server: { host: 127.0.0.1 }',
    `storage: { database: "sqlite:${path.join(dir, 'sluice.db')}", redis: "${redisUrl}" }`,
    '# logging.level: the default (info) — the access log is on',
    'providers:',
    `  mock: { type: openai, base_url: "${mockUrl}", api_key: sk-bench }`,
    'chain:',
    '  - use: auth',
    '    with: { mode: api_key }',
    '  - use: firewall',
    '    with: { mode: monitor }',
    '  - use: router',
    '    with: { default: mock }',
    '  - use: translator',
    '  - use: ledger',
    '    with: { spill_dir: ./spill }',
    '  - use: ratelimit',
    `    with: { store: redis, key_prefix: "${prefix}", rules: [{ scope: team, rpm: 100000000, tpm: 100000000000, budget_daily_usd: 1000000 }] }`,
    '',
  ].join('\n'));
  const cli = (...argv: string[]) => {
    const r = spawnSync(process.execPath, [path.join(sluiceRoot, 'bin/sluice.js'), ...argv, '--config', configFile], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sluice ${argv.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  cli('team', 'add', 'bench');
  cli('user', 'add', 'bench', '--team', 'bench');
  const key = JSON.parse(cli('key', 'create', '--user', 'bench', '--rpm', '100000000', '--budget-daily', '1000000', '--json')) as { key: string };
  return { configFile, headers: { authorization: `Bearer ${key.key}` } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

async function privateRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => { socket.destroy(); resolve(true); });
    });
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start (is it installed?)');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--redis');
  let redis: { url: string; child: ChildProcess } | undefined;
  let redisUrl: string;
  if (at >= 0) {
    redisUrl = argv[at + 1]!;
    argv.splice(at, 2);
  } else {
    redis = await privateRedis();
    redisUrl = redis.url;
  }
  const child = spawn(process.execPath, [
    path.join(here, 'proxy-overhead.js'), '--team-redis', redisUrl, '--targets', 'bare,sluice',
    '--title', 'Team chain against the floor and the default chain',
    '--out', path.join(root, 'bench/results/team-chain.md'), ...argv,
  ], { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  redis?.child.kill('SIGTERM');
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => { console.error(err); process.exit(1); });
}
