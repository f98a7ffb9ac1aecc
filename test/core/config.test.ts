// Invalid config stops start-up with file, line, column and what was expected — and a non-zero exit.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/config/config-error.js';
import { parseConfigText } from '../../core/config/load.js';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { emptyUsage } from '../../core/protocols/types.js';
import { tempDir } from '../helpers/gateway.js';
import { refusedStartInProcess, sluiceInProcess } from '../cli/run-cli.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

/** bin/sluice.js in its own process: exit code, stdout, stderr. */
function sluice(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
}

function writeConfig(yaml: string): string {
  const file = path.join(tempDir(), 'sluice.yaml');
  writeFileSync(file, yaml);
  return file;
}

const GOOD = `providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
`;

describe('config', () => {
  it('expands ${VAR} and ${VAR:-default} and keeps $${ literal', () => {
    const yaml = GOOD.replace('{ type: loopback }', () => '{ type: loopback, models: ["${M1}", "${M2:-fallback}", "$${LIT}"] }');
    const cfg = parseConfigText(yaml, 'x.yaml', { M1: 'one' });
    expect(cfg.config.providers['local']!.models).to.deep.equal(['one', 'fallback', '${LIT}']);
  });

  it('pricing: entries take long-context rates and a one-hour cache-write price, checked like every option', () => {
    const yaml = GOOD + 'pricing:\n  lc-model: { input: 3, output: 15, cache_write_1h: 6, long_context: { above_input_tokens: 200000, input: 6, output: 22.5 } }\n';
    const table = createPriceTable(parseConfigText(yaml, 'x.yaml', {}).config.pricing);
    const long = table.cost({ ...emptyUsage(), inputTokens: 250_000, outputTokens: 2_000 }, 'lc-model')!;
    expect(long).to.include({ input: 1.5, output: 0.045 });
    expect(table.cost({ ...emptyUsage(), cacheWriteTokens: 100_000, cacheWrite1hTokens: 100_000 }, 'lc-model')!.cacheWrite).to.equal(0.6);
    const bad = GOOD + 'pricing:\n  lc-model: { input: 3, output: 15, long_context: { above_input_tokens: 0, input: 6, output: 22.5 } }\n';
    expect(() => parseConfigText(bad, 'x.yaml', {})).to.throw(ConfigError, /^x\.yaml:7:73: pricing\.lc-model\.long_context\.above_input_tokens: expected a whole number of prompt tokens/);
  });

  it('applies defaults for everything omitted', () => {
    const cfg = parseConfigText(GOOD, 'x.yaml', {});
    expect(cfg.config.server).to.include({ host: '127.0.0.1', port: 8081, trust_proxy: false });
    expect(cfg.config.storage.database).to.equal('sqlite:./data/sluice.db');
  });

  it('takes ${VAR} for numbers and booleans, and an empty section as its defaults', () => {
    const cfg = parseConfigText('server:\n  port: ${PORT}\n  allow_unauthenticated_remote: ${OPEN:-false}\nstorage:\n' + GOOD, 'x.yaml', { PORT: '9000' });
    expect(cfg.config.server).to.include({ port: 9000, allow_unauthenticated_remote: false, host: '127.0.0.1' });
    expect(cfg.config.storage.database).to.equal('sqlite:./data/sluice.db');
  });

  it('reports every problem, each with its own file:line:col', () => {
    const yaml = 'server:\n  port: 99999\n  prot: 1\n' + GOOD.replace('{ type: loopback }', '{ type: "loop back" }');
    expect(() => parseConfigText(yaml, 'x.yaml', {})).to.throw(ConfigError).that.satisfies((err: ConfigError) => {
      expect(err.location).to.deep.equal({ file: 'x.yaml', line: 2, column: 9 });
      expect(err.message.split('\n')).to.deep.equal([
        'x.yaml:2:9: server.port: expected an integer from 0 to 65535, got 99999',
        'x.yaml:3:9: server.prot: expected no option "prot" (did you mean "port"? known: host, port, trust_proxy, allow_unauthenticated_remote, allowed_hosts, body_limit, headers_timeout_ms, body_timeout_ms, max_json_depth, send_timeout_ms, shutdown_grace_ms, sse_keepalive_ms, websocket_idle_timeout_ms, websocket_lifetime_ms, watch_config, listeners)',
        'x.yaml:5:18: providers.local.type: expected openai, anthropic, gemini, loopback, or a provider type a plugin in the chain adds, got "loop back"',
      ]);
      return true;
    });
  });

  it('names every unset variable at once, each at its line (fixing one and re-running to meet the next wastes a deploy)', () => {
    const yaml = 'storage: { database: "postgres://sluice:${DB_PASSWORD}@db/sluice" }\nproviders:\n  oa: { type: openai, api_key: "${OPENAI_API_KEY}" }\n  an: { type: anthropic, api_key: "${ANTHROPIC_API_KEY}" }\n'
      + 'chain:\n  - use: router\n    with: { default: oa }\n';
    expect(() => parseConfigText(yaml, 'x.yaml', { ANTHROPIC_API_KEY: 'set' })).to.throw(ConfigError).that.satisfies((err: ConfigError) => {
      expect(err.location).to.deep.equal({ file: 'x.yaml', line: 1, column: 22 });
      expect(err.message.split('\n')).to.deep.equal([
        'x.yaml:1:22: environment variable DB_PASSWORD is not set (write ${DB_PASSWORD:-default} to give a default)',
        'x.yaml:3:32: environment variable OPENAI_API_KEY is not set (write ${OPENAI_API_KEY:-default} to give a default)',
      ]);
      return true;
    });
  });

  const cases: [string, string, RegExp][] = [
    ['broken YAML', GOOD.replace('chain:', 'chain: [unclosed'), /x\.yaml:\d+:\d+: invalid YAML/],
    ['a second YAML document, in words for the config file rather than the parser\'s API', GOOD + '---\nserver: {}\n', /^x\.yaml:6:1: invalid YAML: a second document \(a `---` line\) where the config file holds one$/],
    ['a tag YAML does not know (read as plain text otherwise)', GOOD.replace('{ type: loopback }', '{ type: loopback, models: [!Ref my-model] }'), /^x\.yaml:2:\d+: invalid YAML: Unresolved tag: !Ref \(a Sluice config takes plain YAML values\)$/],
    ['a missing ${VAR}', GOOD.replace('{ type: loopback }', '{ type: openai, api_key: "${NOPE_KEY}" }'), /x\.yaml:2:\d+: environment variable NOPE_KEY is not set/],
    // An unknown type name (`loopbak`) is refused once the chain's plugins are loaded, at the same
    // line (test/integration/plugin-provider-types.test.ts); what cannot be a type name is refused here.
    ['a ${…} that is not a reference (a typo would otherwise be sent as the literal key)', GOOD.replace('{ type: loopback }', '{ type: openai, api_key: "${OPENAI-KEY}" }'),
      /^x\.yaml:2:\d+: invalid environment reference "\$\{OPENAI-KEY\}": expected \$\{NAME\} or \$\{NAME:-default\}/],
    ['an unclosed ${', GOOD.replace('{ type: loopback }', '{ type: openai, api_key: "${OPENAI_KEY" }'), /^x\.yaml:2:\d+: invalid environment reference "\$\{OPENAI_KEY"/],
    ['a wrong type', GOOD.replace('{ type: loopback }', '{ type: "loop back" }'), /x\.yaml:2:\d+: providers\.local\.type: expected openai, anthropic, gemini, loopback, or a provider type a plugin in the chain adds, got "loop back"/],
    ['an unknown top-level key', GOOD + 'sever: {}\n', /x\.yaml:6:\d+: sever: expected no option "sever"/],
    ['a bad port', 'server: { port: 99999 }\n' + GOOD, /x\.yaml:1:17: server\.port: expected an integer from 0 to 65535, got 99999/],
    ['a ${VAR} that is not a number', 'server: { port: "${PORT}" }\n' + GOOD, /x\.yaml:1:17: server\.port: expected an integer from 0 to 65535, got "eighty"/],
    ['an alias to an anchor that is not there', 'server: *nope\n' + GOOD, /^x\.yaml:1:9: invalid YAML: alias \*nope has no anchor &nope before it$/],
    ['aliases that expand past the parser\'s limit (billion laughs)', 'x0: &a0 ["x","x","x","x","x","x","x","x","x"]\n'
      + Array.from({ length: 7 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]\n`).join('') + GOOD,
    /^x\.yaml:2:\d+: invalid YAML: Excessive alias count/],
    ['a bad size', 'server: { body_limit: 10 parsecs }\n' + GOOD, /x\.yaml:1:23: server\.body_limit: expected a size such as 10mb or 512kb, got "10 parsecs"/],
    ...['10.0.0.0/33', '999.1.1.1', '1.2.3', ':::'].map((range): [string, string, RegExp] => [`trust_proxy ${range} (no stack at start)`, `server: { trust_proxy: ["${range}"] }\n` + GOOD,
      new RegExp(`x\\.yaml:1:25: server\\.trust_proxy\\[0\\]: expected an IP address or CIDR range such as 10\\.0\\.0\\.0/8 or ::1, got "${range.replace(/\./g, '\\.')}"`)]),
    ['a bad trust_proxy hop count', 'server: { trust_proxy: { hops: 99 } }\n' + GOOD, /x\.yaml:1:32: server\.trust_proxy\.hops: expected an integer from 1 to 16, got 99/],
    ['a bad provider name', GOOD.replace('local:', '"my provider":'), /x\.yaml:2:\d+: providers\.my provider: expected provider names \(letters, digits, _ \. -\), got "my provider"/],
    ['a provider without a type, naming each type once', GOOD.replace('local: { type: loopback }', 'local: { type: loopback }\n  remote:\n    base_url: http://x'), /^x\.yaml:3:3: providers\.remote\.type: expected openai, anthropic, gemini, loopback, or a provider type a plugin in the chain adds, got nothing$/],
    ['an unknown key holding a block mapping, at the key (not at the first line inside it)', GOOD + 'loging:\n  level: debug\n', /^x\.yaml:6:1: loging: expected no option "loging"/],
    ['an empty chain', GOOD.replace(/chain:[\s\S]*/, 'chain: []\n'), /x\.yaml:3:8: chain: expected a list of .* \(at least 1\), got a list/],
    // Indentation mistakes, worded as what to change rather than the parser's terms ("compact mappings").
    ['a line indented deeper than the key above it', GOOD.replace('    with:', '     with:'),
      /^x\.yaml:4:10: invalid YAML: "router" is followed by a line indented deeper than its key, as if it held keys of its own: indent that line as far as the key above it$/],
    ['a value holding ": "', GOOD.replace('local: { type: loopback }', 'local: type: loopback'),
      /^x\.yaml:2:10: invalid YAML: "type: loopback" holds ": ", which YAML reads as a key inside a value: quote the value, or put its keys on lines of their own, indented under its key$/],
    ['a key not in line with the keys above it', 'server:\n  host: 127.0.0.1\n port: 8081\n' + GOOD,
      /^x\.yaml:3:1: invalid YAML: this key does not start at the column of the keys above it: indent it exactly as far as they are \(YAML nests by indentation\)$/],
    ['a chain label (name:) given to two entries, which it exists to tell apart', GOOD.replace('    with: { default: local }\n', '    with: { default: local }\n    name: main\n  - use: firewall\n    name: main\n'),
      /^x\.yaml:8:11: chain\[1\]\.name: "main" already labels chain\[0\]: give each entry its own name$/],
    ['a chain entry written as a bare name', GOOD.replace('  - use: router\n    with: { default: local }\n', '  - router\n'),
      /^x\.yaml:4:5: chain\[0\]: expected a mapping with use, with, name, got "router" \(write `- use: router`\)$/],
    ['a key given twice', 'server:\n  host: 127.0.0.1\n  host: 0.0.0.0\n' + GOOD, /^x\.yaml:3:3: invalid YAML: "host" is given twice in this mapping: keep one$/],
  ];
  for (const [name, yaml, message] of cases) {
    it(`reports ${name} with file:line:col`, () => {
      expect(() => parseConfigText(yaml, 'x.yaml', { PORT: 'eighty' })).to.throw(ConfigError, message);
    });
  }

  it('locates a missing option at the key holding its mapping (a reload that removed it), not at the option after it', () => {
    const yaml = GOOD + '  - use: ledger\n    with:\n      max_buffer_rows: 2000\n';
    const loaded = parseConfigText(yaml, 'x.yaml', {});
    expect(loaded.locate(['chain', 1, 'with', 'batch_size'])).to.include({ line: 7, column: 5 });
    expect(loaded.locate(['chain', 1, 'with', 'max_buffer_rows'])).to.include({ line: 8, column: 24 });
    expect(loaded.locate(['chain', 1, 'nothing'])).to.include({ line: 6, column: 5 });
  });

  describe('sluice CLI', () => {
    it('config validate: exit 0 on a good file', () => {
      const r = sluice(['config', 'validate', writeConfig(GOOD)]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/valid \(1 plugin, 1 provider\)/);
    });

    const failures: [string, string, RegExp][] = [
      ['an unknown plugin', GOOD.replace('use: router', 'use: no-such-plugin'), /sluice\.yaml:4:\d+: chain\[0\]: plugin package "no-such-plugin" is not installed/],
      ['a misspelt built-in plugin', GOOD.replace('use: router', 'use: routr'), /sluice\.yaml:4:\d+: chain\[0\]: plugin package "routr" is not installed \(looked in node_modules above .*\); did you mean the built-in "router"\? built-ins are router, /],
      ['bad plugin options', GOOD.replace('{ default: local }', '{ default: local, routes: [{ match: "a*b*", provider: local }] }'), /sluice\.yaml:5:\d+: plugin router: chain\[0\]\.with\.routes\[0\]\.match: expected a model pattern/],
      ['an unknown plugin option', GOOD.replace('{ default: local }', '{ defualt: local }'), /sluice\.yaml:5:\d+: plugin router: chain\[0\]\.with\.defualt: expected no option "defualt"/],
      ['a route with both provider and targets', GOOD.replace('{ default: local }', '{ routes: [{ match: "a*", provider: local, targets: [{ provider: local }] }] }'), /sluice\.yaml:5:\d+: plugin router: chain\[0\]\.with\.routes\[0\]: expected a route with either `provider` or `targets` \(not both\)/],
      ['a route to a provider that does not exist', GOOD.replace('{ default: local }', '{ default: nowhere }'), /sluice\.yaml:5:\d+: plugin router: chain\[0\]\.with\.default: names provider "nowhere"/],
      ['a Redis rate-limit store without storage.redis', GOOD + '  - use: ratelimit\n    with: { store: redis, rules: [{ scope: key, rpm: 10 }] }\n', /sluice\.yaml:7:\d+: plugin ratelimit: chain\[1\]\.with\.store: redis needs storage\.redis/],
      ['a chain without a router', GOOD.replace('  - use: router\n    with: { default: local }\n', '  - use: ./p.js\n'), /chain\[0\]: plugin file .*p\.js does not exist/],
      ['a missing ${VAR}', GOOD.replace('{ type: loopback }', '{ type: openai, api_key: "${SLUICE_TEST_UNSET_KEY}" }'), /sluice\.yaml:2:\d+: environment variable SLUICE_TEST_UNSET_KEY is not set/],
      ['broken YAML', 'chain: [\n', /sluice\.yaml:\d+:\d+: invalid YAML/],
    ];
    // Two refusals through the real binary (its exit code), the others through main() in-process.
    const realBinary = new Set(['an unknown plugin', 'broken YAML']);
    for (const [name, yaml, message] of failures) {
      it(`start and config validate exit non-zero on ${name}`, async () => {
        const file = writeConfig(yaml);
        const validate = await sluiceInProcess(['config', 'validate', file]);
        expect(validate.status, `config validate: ${validate.stdout}`).to.equal(1);
        expect(validate.stderr).to.match(message);
        const args = ['--config', file, '--port', '0'];
        const start = realBinary.has(name) ? sluice(['start', ...args]) : await refusedStartInProcess(args);
        expect(start.status, `start: ${start.stdout}`).to.equal(1);
        expect(start.stderr).to.match(message);
      });
    }

    it('start points at the option a plugin could not use: a ledger spill_dir under a file', () => {
      const file = writeConfig(GOOD + '  - use: ledger\n    with: { spill_dir: ./sluice.yaml/spill }\nstorage: { database: "sqlite:./l.db" }\n');
      const start = sluice(['start', '--config', file, '--port', '0']);
      expect(start.status, start.stdout).to.equal(1);
      expect(start.stderr).to.match(/sluice\.yaml:7:\d+: plugin ledger: chain\[1\]\.with\.spill_dir: .*sluice\.yaml\/spill: ENOTDIR/);
    });

    it('refuses a plugin whose supported Sluice range excludes this version', async () => {
      const dir = path.dirname(writeConfig(''));
      writeFileSync(path.join(dir, 'old.js'), `import { definePlugin, z } from 'sluice';\nexport default definePlugin({ name: 'old', version: '1.0.0', sluice: '^9.0.0', options: z.strictObject({}), setup: () => ({}) });`);
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, GOOD + '  - use: ./old.js\n');
      const r = await sluiceInProcess(['config', 'validate', file]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/plugin old@1\.0\.0 supports Sluice \^9\.0\.0, but this is Sluice 0\.1\.0/);
    });

    it('refuses a plugin whose options are not a zod 4 schema, saying how to write one', async () => {
      const dir = path.dirname(writeConfig(''));
      // What a plugin built with zod 3, or with the old hand-written builder, hands over.
      writeFileSync(path.join(dir, 'legacy.js'), `import { definePlugin } from 'sluice';\nexport default definePlugin({ name: 'legacy', version: '1.0.0', sluice: '^0.1.0', options: { parse: (v) => v, _def: {} }, setup: () => ({}) });`);
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, GOOD + '  - use: ./legacy.js\n');
      const r = await sluiceInProcess(['config', 'validate', file]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/sluice\.yaml:6:\d+: chain\[1\]: plugin legacy: `options` must be a zod 4 schema; write it with `import \{ z \} from 'sluice'`/);
    });

    it('refuses to listen beyond loopback with auth off', () => {
      const r = sluice(['start', '--config', writeConfig(GOOD), '--host', '0.0.0.0', '--port', '0']);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/refusing to listen on 0\.0\.0\.0 without authentication/);
    });

    it('plugins lists the resolved chain with versions', async () => {
      const r = await sluiceInProcess(['plugins', '--config', writeConfig(GOOD), '--json']);
      expect(r.status, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal([{ position: 1, name: 'router', plugin: 'router', version: '0.1.0', source: 'builtin', use: 'router', supports: '^0.1.0' }]);
    });
  });
});
