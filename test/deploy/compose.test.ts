// The container files, checked without Docker: examples/compose/compose.yaml against the
// compose-spec JSON schema (the copy the dclint package ships), the files it mounts and the names
// it wires together, and every config it mounts through the real `sluice config validate`. The
// image's build steps are replayed by scripts/check-docker-build.mjs (minutes: not in npm test).
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { sluice } from '../integration/auth-helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const COMPOSE_DIR = path.join(root, 'examples/compose');
const COMPOSE = path.join(COMPOSE_DIR, 'compose.yaml');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  init?: boolean;
  stop_grace_period?: string;
}
interface ComposeFile { services: Record<string, Service> }

function loadCompose(text = readFileSync(COMPOSE, 'utf8')): ComposeFile {
  // `<<: *anchor` is YAML 1.1 merge, which Compose applies before validating.
  return parse(text, { merge: true }) as ComposeFile;
}

/** The compose-spec schema from the dclint devDependency; undefined when it is not installed. */
function composeSchema(): Record<string, unknown> | undefined {
  let file = process.env['SLUICE_COMPOSE_SCHEMA'];
  if (!file) {
    try {
      file = path.join(path.dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas/compose.schema.json');
    } catch {
      return undefined;
    }
  }
  // zod resolves local references under $defs (2019-09 and later); the draft-07 file says definitions.
  const text = readFileSync(file, 'utf8').replaceAll('"#/definitions/', '"#/$defs/');
  const { definitions, $id: _id, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return { ...rest, $defs: definitions };
}

/** Compose's `${VAR:?message}` / `${VAR:-default}` / `${VAR}` with `env`, as `docker compose config` does. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?[?-][^}]*)?\}/g, (_, name: string) => env[name] ?? '');
}

describe('examples/compose/compose.yaml', () => {
  const compose = loadCompose();
  const sluices = Object.entries(compose.services).filter(([, s]) => s.image === 'sluice:local');

  it('validates against the compose-spec schema, which refuses a broken file', function () {
    const schema = composeSchema();
    if (!schema) {
      console.warn('      skipped: the compose-spec schema comes with the dclint devDependency, which is not installed');
      return this.skip();
    }
    const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    const result = validator.safeParse(compose);
    expect(result.success, JSON.stringify(result.error?.issues, null, 1)).to.equal(true);
    // The control: the same validator refuses a misspelt key and a wrong depends_on condition.
    const text = readFileSync(COMPOSE, 'utf8');
    expect(validator.safeParse(loadCompose(text.replace('    image: redis:7-alpine', '    imagee: redis:7-alpine'))).success).to.equal(false);
    expect(validator.safeParse(loadCompose(text.replace('condition: service_healthy', 'condition: healthy'))).success).to.equal(false);
  });

  it('runs two Sluice instances, nginx, PostgreSQL, Redis and an optional Presidio analyzer', () => {
    expect(sluices.map(([name]) => name)).to.deep.equal(['sluice-1', 'sluice-2']);
    expect(Object.keys(compose.services)).to.include.members(['nginx', 'postgres', 'redis', 'presidio']);
    expect(compose.services['presidio']!.profiles).to.deep.equal(['presidio']);
    // The second instance waits for the first, which applies the migrations.
    expect(compose.services['sluice-2']!.depends_on).to.have.key('sluice-1');
  });

  it('runs each instance under an init that forwards SIGTERM at once, with a stop grace longer than shutdown_grace_ms', () => {
    for (const [name, service] of sluices) {
      expect(service.init, name).to.equal(true);
      expect(service.stop_grace_period, name).to.equal('30s');
    }
  });

  it('mounts files that exist, and config/team.yaml into every instance', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('.')) expect(existsSync(path.resolve(COMPOSE_DIR, source!)), `${name}: ${source}`).to.equal(true);
      }
    }
    for (const [name, service] of sluices) {
      expect(service.volumes, name).to.include('../../config/team.yaml:/etc/sluice/sluice.yaml:ro');
      expect(service.environment?.['SLUICE_CONFIG'], name).to.equal('/etc/sluice/sluice.yaml');
    }
  });

  it('wires the names together: nginx upstreams, the port, the database and Redis hosts', async () => {
    const team = parse(readFileSync(path.join(root, 'config/team.yaml'), 'utf8')) as { server: { port: number }; storage: { database: string; redis: string } };
    const nginxConf = readFileSync(path.join(root, 'examples/nginx/sluice.conf'), 'utf8');
    for (const [name, service] of sluices) {
      expect(nginxConf, `nginx upstream for ${name}`).to.contain(`server ${name}:${team.server.port} `);
      expect(service.environment?.['SLUICE_PORT'], `${name}: HEALTHCHECK port`).to.equal(String(team.server.port));
    }
    expect(new URL(team.storage.database.replace('${SLUICE_DB_PASSWORD}', 'x')).hostname).to.equal('postgres');
    expect(new URL(team.storage.redis).hostname).to.equal('redis');
    expect(compose.services['postgres']!.environment?.['POSTGRES_USER']).to.equal(new URL(team.storage.database.replace('${SLUICE_DB_PASSWORD}', 'x')).username);
  });

  it('gives every instance each ${VAR} its config needs, and the config validates with them (sluice config validate)', async function () {
    this.timeout(20_000);
    const teamText = readFileSync(path.join(root, 'config/team.yaml'), 'utf8');
    const needed = [...new Set([...teamText.replace(/#.*$/gm, '').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
    const dummy = { SLUICE_DB_PASSWORD: 'pw', SLUICE_ADMIN_KEY: 'admin-key-0123456789', OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant-x', GEMINI_API_KEY: 'g-x' };
    const envs = sluices.map(([name, service]) => {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v, dummy)]));
      for (const v of needed) expect(env[v], `${name} lacks ${v}`).to.be.a('string').and.not.equal('');
      return env;
    });
    // The instances are alike (one shared anchor), so one run of the real CLI covers them all.
    for (const env of envs) expect(env).to.deep.equal(envs[0]);
    const r = await sluice(['config', 'validate', path.join(root, 'config/team.yaml'), '--json'], envs[0]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({ valid: true });
  });

  it('examples/nginx/sluice.yaml validates too', async function () {
    this.timeout(20_000);
    const r = await sluice(['config', 'validate', path.join(root, 'examples/nginx/sluice.yaml'), '--json'],
      { SLUICE_DB_PASSWORD: 'pw', SLUICE_ADMIN_KEY: 'admin-key-0123456789', OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant-x' });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM /m).slice(1);
  const final = stages.at(-1)!;

  it('builds in one stage and runs from a slim one as a non-root user, checking /ready', () => {
    expect(stages.length).to.be.at.least(2);
    expect(final).to.match(/^node:20-bookworm-slim\b/);
    expect(final).to.match(/^USER node$/m);
    expect(final).to.match(/^HEALTHCHECK .*\/ready/m);
    expect(final).to.match(/^VOLUME \["\/data"\]$/m);
    // No toolchain in the final stage: nothing installed there, only copied from the build stage.
    expect(final).to.not.match(/apt-get|npm (ci|install)|build-essential|python3|g\+\+/);
    for (const copy of final.match(/^COPY .*$/gm) ?? []) expect(copy).to.match(/^COPY --from=build /);
  });

  it('documents in docs/team-deployment.md every variable the image and the compose file set for Sluice', () => {
    const doc = readFileSync(path.join(root, 'docs/team-deployment.md'), 'utf8');
    const fromImage = [...final.matchAll(/\b(SLUICE_\w+|NODE_ENV)=/g)].map((m) => m[1]!);
    const fromHealthcheck = [...final.matchAll(/process\.env\.(\w+)/g)].map((m) => m[1]!);
    const fromCompose = Object.keys(loadCompose().services['sluice-1']!.environment ?? {});
    const names = [...new Set([...fromImage, ...fromHealthcheck, ...fromCompose])];
    expect(names).to.include.members(['SLUICE_HOME', 'SLUICE_DATA_DIR', 'SLUICE_PORT', 'SLUICE_CONFIG']);
    for (const name of names) expect(doc, name).to.include(`\`${name}\``);
  });

  it('copies into the image only paths package.json ships', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
    for (const [, src] of final.matchAll(/^COPY --from=build \/src\/(\S+)/gm)) {
      if (src === 'package.json' || src === 'node_modules') continue;
      expect(pkg.files, src).to.include(src);
    }
  });
});
