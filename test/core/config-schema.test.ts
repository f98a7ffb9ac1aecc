// `sluice config schema` and the JSON Schema shipped in config/: it must not go stale, and the
// shipped configs must validate against it the way an editor validates them.
//
// No JSON Schema validator is installed, so the committed schema is checked through zod's own
// reader (z.fromJSONSchema): it does not take if/then, so the one place the schema uses it — each
// chain entry's `with:` checked against its plugin's options when `use:` names that plugin — is
// applied here by hand, with JSON Schema's semantics (a branch applies when its `if` matches).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from '../../core/index.js';
import { builtinNames } from '../../core/plugin/resolve.js';
import { tempDir } from '../helpers/gateway.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'bin/sluice.js');
const configDir = path.join(repoRoot, 'config');
const committedFile = path.join(configDir, 'sluice.schema.json');

type Json = Record<string, unknown>;
interface Branch { if: { properties: { use: { const: string } } }; then: { properties: { with: Json } } }

/** `sluice ARGS` in an empty directory (or `cwd`), with SLUICE_CONFIG only when the test sets it. */
function sluice(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env || !('SLUICE_CONFIG' in opts.env)) delete env['SLUICE_CONFIG'];
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: opts.cwd ?? tempDir(), env, timeout: 15_000 });
}

/** Validates a parsed YAML document against the JSON Schema; returns the problems (empty: valid). */
function validate(schema: Json, doc: unknown): string[] {
  const withoutBranches = structuredClone(schema) as { properties: { chain: { items: Json } } };
  const branches = withoutBranches.properties.chain.items['allOf'] as Branch[];
  delete withoutBranches.properties.chain.items['allOf'];
  const problems: string[] = [];
  const report = (where: string, r: { success: boolean; error?: z.ZodError }) => {
    if (!r.success) for (const i of r.error!.issues) problems.push(`${[where, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`);
  };
  report('', z.fromJSONSchema(withoutBranches as z.core.JSONSchema.JSONSchema).safeParse(doc));
  const chain = (doc as { chain?: unknown }).chain;
  for (const [i, entry] of (Array.isArray(chain) ? chain : []).entries()) {
    if (typeof entry !== 'object' || entry === null || !('with' in entry)) continue;
    const branch = branches.find((b) => b.if.properties.use.const === (entry as { use?: unknown }).use);
    if (!branch) continue;
    const withSchema = { $schema: schema['$schema'], definitions: schema['definitions'], ...branch.then.properties.with };
    report(`chain.${i}.with`, z.fromJSONSchema(withSchema as z.core.JSONSchema.JSONSchema).safeParse((entry as { with: unknown }).with));
  }
  return problems;
}

const committed = () => JSON.parse(readFileSync(committedFile, 'utf8')) as Json;
const shipped = readdirSync(configDir).filter((f) => f.endsWith('.yaml'));
const defaultYaml = () => parse(readFileSync(path.join(configDir, 'sluice.yaml'), 'utf8')) as Json & { chain: Json[]; server?: Json };

describe('config JSON Schema', () => {
  it('config/sluice.schema.json is what `sluice config schema` prints (run `npm run schema` after changing a schema)', () => {
    const r = sluice(['config', 'schema']);
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(committedFile, 'utf8')).to.equal(r.stdout);
  });

  it('is draft-07 and checks `with:` for every built-in plugin', () => {
    const schema = committed();
    expect(schema['$schema']).to.equal('http://json-schema.org/draft-07/schema#');
    const branches = ((schema['properties'] as Json)['chain'] as { items: { allOf: Branch[] } }).items.allOf;
    expect(branches.map((b) => b.if.properties.use.const)).to.deep.equal([...builtinNames()]);
  });

  for (const file of shipped) {
    it(`config/${file} names the schema for editors and validates against it`, () => {
      const text = readFileSync(path.join(configDir, file), 'utf8');
      expect(text.split('\n')[0]).to.equal('# yaml-language-server: $schema=./sluice.schema.json');
      expect(validate(committed(), parse(text))).to.deep.equal([]);
    });
  }

  it('rejects what Sluice rejects: unknown keys, bad plugin options, wrong types', () => {
    const schema = committed();
    const typo = defaultYaml();
    typo.chain[0]!['with'] = { defualt: 'local' };
    expect(validate(schema, typo)).to.have.length.greaterThan(0);
    const badPort = defaultYaml();
    badPort.server = { port: 'eighty' };
    expect(validate(schema, badPort)).to.have.length.greaterThan(0);
    const unknownTop = { ...defaultYaml(), sever: {} };
    expect(validate(schema, unknownTop)).to.have.length.greaterThan(0);
  });

  it('accepts ${VAR} for numbers and booleans, and any `with:` for plugins it does not know', () => {
    const schema = committed();
    const doc = defaultYaml();
    doc.server = { port: '${PORT:-8081}', allow_unauthenticated_remote: '${OPEN}' };
    doc.chain.push({ use: './plugins/anything.js', with: { whatever: [1, 2] } });
    expect(validate(schema, doc)).to.deep.equal([]);
  });

  it('--config adds the options of the plugins that file uses', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'extra.js'), `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'extra', version: '1.0.0', sluice: '^0.1.0', description: 'An extra plugin',
  // A schema with an id: zod emits it as a definition of its own, which must move up with the plugin's.
  options: z.strictObject({ level: z.enum(['low', 'high']), rules: z.array(z.strictObject({ when: z.string() }).meta({ id: 'rule' })).default([]) }),
  setup: () => ({}) });`);
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./extra.js\n    with: { level: high, rules: [{ when: x }] }\n');
    const r = sluice(['config', 'schema', '--config', file]);
    expect(r.status, r.stderr).to.equal(0);
    const schema = JSON.parse(r.stdout) as Json;
    const definitions = schema['definitions'] as Json;
    expect(definitions['./extra.js.options']).to.deep.include({ description: 'An extra plugin', required: ['level'] });
    expect(definitions).to.have.property('./extra.js.options.rule');
    const doc = parse(readFileSync(file, 'utf8')) as Json & { chain: Json[] };
    expect(validate(schema, doc)).to.deep.equal([]);
    doc.chain[1]!['with'] = { level: 'medium' };
    expect(validate(schema, doc)).to.have.length(1);
    doc.chain[1]!['with'] = { level: 'low', rules: [{ wen: 'x' }] };
    expect(validate(schema, doc)).to.have.length.greaterThan(0);
  });

  // Which config is read follows the rule every command follows (docs/cli.md): --config, else
  // $SLUICE_CONFIG, else ./sluice.yaml. The schema holds that config's plugins' options, so reading
  // none of them gave an editor a schema that checks nothing of the operator's own plugin.
  describe('which config it reads without --config', () => {
    const plugin = (name: string) => `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: '${name}', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ level: z.number() }), setup: () => ({}) });`;
    const project = (name: string) => {
      const dir = tempDir();
      writeFileSync(path.join(dir, `${name}.js`), plugin(name));
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, `providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./${name}.js\n    with: { level: 1 }\n`);
      return { dir, file };
    };
    const definitionsOf = (r: ReturnType<typeof sluice>) => {
      expect(r.status, r.stderr).to.equal(0);
      return Object.keys((JSON.parse(r.stdout) as Json)['definitions'] as Json).filter((k) => k.startsWith('./'));
    };

    it('./sluice.yaml in the working directory', () => {
      const { dir } = project('local');
      expect(definitionsOf(sluice(['config', 'schema'], { cwd: dir }))).to.deep.equal(['./local.js.options']);
    });

    it('$SLUICE_CONFIG before ./sluice.yaml, and --config before both', () => {
      const local = project('local');
      const named = project('named');
      const flagged = project('flagged');
      expect(definitionsOf(sluice(['config', 'schema'], { cwd: local.dir, env: { SLUICE_CONFIG: named.file } }))).to.deep.equal(['./named.js.options']);
      expect(definitionsOf(sluice(['config', 'schema', '--config', flagged.file], { cwd: local.dir, env: { SLUICE_CONFIG: named.file } }))).to.deep.equal(['./flagged.js.options']);
    });

    it('./sluice.yaml whose secrets are not set in this shell (or with a value mid-edit): only its chain is read', () => {
      // A schema needs the chain's `use:` alone; an editor's schema is generated where the operator's
      // ${OPENAI_API_KEY} is not set, and a config being edited has a wrong value somewhere.
      const { dir, file } = project('local');
      writeFileSync(file, readFileSync(file, 'utf8').replace('providers: { local: { type: loopback } }',
        'providers:\n  local: { type: loopback }\n  up: { type: openai, api_key: "${QA_SCHEMA_UNSET_KEY}" }\nserver: { port: "not yet" }'));
      expect(definitionsOf(sluice(['config', 'schema'], { cwd: dir }))).to.deep.equal(['./local.js.options']);
    });

    it('none of them: the built-ins alone, as shipped', () => {
      expect(sluice(['config', 'schema']).stdout).to.equal(readFileSync(committedFile, 'utf8'));
    });
  });
});
