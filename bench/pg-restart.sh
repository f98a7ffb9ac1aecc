#!/usr/bin/env bash
# Nothing lost through a REAL PostgreSQL restart (issue 12): a private cluster (initdb into a temp
# directory, its own port, trust auth), a mock OpenAI upstream whose streams take ~0.2 s, and one
# `sluice start` with auth (api_key), ratelimit and the ledger on that cluster. 16 clients send a
# steady mix — JSON, streams read to the end, streams dropped after their first chunks, through the
# official openai and @anthropic-ai/sdk clients and raw fetch — and record the `x-request-id` of every
# answer. In the middle of the load each scenario does one thing:
#   fast        pg_ctl restart -m fast        (backends terminated: 57P01 on open connections)
#   immediate   pg_ctl restart -m immediate   (crash recovery on start)
#   stop        pg_ctl stop, 25 s down, start
#   sigterm     SIGTERM to the gateway, then a new gateway
#   sigterm-down  PostgreSQL stopped, SIGTERM to the gateway (rows spill), PostgreSQL and a new gateway started
#   kill9       SIGKILL to the gateway, then a new gateway (replays what was spilled)
# Each scenario then waits (up to 20 s) for the running gateway to replay its spill file
# (`drained_while_running`), stops it, and starts one more gateway when rows were left in the spill
# file (`left_for_next_start`). Then the `ledger_requests` rows are compared with the ids the clients got: exactly one row each,
# no duplicates, none extra (PASS / FAIL). For kill9 the requests that ended within about the last
# flush_interval_ms (1 s, the default) before the kill may be missing (docs/ledger.md gives the exact
# bound): it prints (INFO) how many ended before the kill without a row and how long before it the
# oldest of them ended, and how many the kill itself cut (answered headers, then the socket died).
#
#   bench/pg-restart.sh [SLUICE_TREE] [PORT_BASE] [SCENARIO…]    (needs PostgreSQL's server binaries;
#   as root, the cluster runs as the `postgres` user). Not in `npm test`: ~3 min.
set -euo pipefail
TREE=$(cd "${1:-$(dirname "$0")/..}" && pwd)
BASE=${2:-41400}
shift 2 2> /dev/null || shift $#
SCENARIOS=("${@:-fast immediate stop sigterm sigterm-down kill9}")
read -r -a SCENARIOS <<< "${SCENARIOS[*]}"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)}
[ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries (set PG_BIN)"; exit 2; }
PGPORT=$BASE UPPORT=$((BASE + 1)) GWPORT=$((BASE + 2))
DIR=$(mktemp -d /tmp/sluice-pg-restart-XXXXXX)
chmod 755 "$DIR"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
mkdir "$DIR/pg" "$DIR/pglog"; [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg" "$DIR/pglog"
as_pg "'$PG_BIN/initdb' -D '$DIR/pg' -A trust -U postgres > '$DIR/pglog/initdb.log' 2>&1"
PGCTL="'$PG_BIN/pg_ctl' -D '$DIR/pg' -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' -l '$DIR/pglog/pg.log' -w"
pgctl() { as_pg "$PGCTL $*" > /dev/null; }
pgctl start
DB="postgres://postgres@127.0.0.1:$PGPORT/postgres"
cleanup() {
  [ -n "${GW:-}" ] && kill "$GW" 2> /dev/null || true
  [ -n "${UP:-}" ] && kill "$UP" 2> /dev/null || true
  as_pg "$PGCTL stop -m immediate" > /dev/null 2>&1 || true
}
trap cleanup EXIT

cat > "$DIR/upstream.mjs" << 'JS'
import http from 'node:http';
const chunk = (model, delta, finish = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
http.createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => { raw += d; });
  req.on('end', async () => {
    const body = JSON.parse(raw || '{}');
    const model = body.model ?? 'm';
    const usage = { prompt_tokens: 40, completion_tokens: 8, total_tokens: 48 };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(8).trim() }, finish_reason: 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    for (let i = 0; i < 8 && !res.destroyed; i++) { res.write(chunk(model, { content: ' word' })); await new Promise((r) => setTimeout(r, 25)); }
    if (res.destroyed) return;
    res.write(chunk(model, {}, 'stop'));
    if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
JS

cat > "$DIR/load.mjs" << 'JS'
// node load.mjs URL KEY OUT: runs until OUT.stop exists; writes [{kind, id, status, t}] to OUT.
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
const require = createRequire(`${process.env.TREE}/package.json`);
const { default: OpenAI } = await import(require.resolve('openai'));
const { default: Anthropic } = await import(require.resolve('@anthropic-ai/sdk'));
const [base, key, out] = process.argv.slice(2);
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey: key, maxRetries: 0 });
const msg = (i) => [{ role: 'user', content: `hello number ${i}` }];
const post = (i, stream, signal) => fetch(`${base}/v1/chat/completions`, { method: 'POST', signal, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-x', stream, messages: msg(i) }) });
const kinds = [
  async (i) => { const r = await post(i, false); await r.text(); return { id: r.headers.get('x-request-id'), status: r.status }; },
  async (i) => { const r = await post(i, true); await r.text(); return { id: r.headers.get('x-request-id'), status: r.status }; },
  async (i) => { const ac = new AbortController(); const r = await post(i, true, ac.signal); const rd = r.body.getReader(); try { await rd.read(); await rd.read(); } catch {} ac.abort(); return { id: r.headers.get('x-request-id'), status: r.status, cut: true }; },
  async (i) => { const { response } = await openai.chat.completions.create({ model: 'gpt-x', messages: msg(i) }).withResponse(); return { id: response.headers.get('x-request-id'), status: response.status }; },
  async (i) => { const { data, response } = await openai.chat.completions.create({ model: 'gpt-x', messages: msg(i), stream: true }).withResponse(); for await (const _ of data); return { id: response.headers.get('x-request-id'), status: response.status }; },
  async (i) => { const { data, response } = await anthropic.messages.create({ model: 'gpt-x', max_tokens: 50, messages: msg(i), stream: true }).withResponse(); for await (const _ of data); return { id: response.headers.get('x-request-id'), status: response.status }; },
  async (i) => { const { response } = await anthropic.messages.create({ model: 'gpt-x', max_tokens: 50, messages: msg(i) }).withResponse(); return { id: response.headers.get('x-request-id'), status: response.status }; },
];
const results = [];
let n = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (!existsSync(`${out}.stop`)) {
    const i = n++;
    try { results.push({ kind: i % kinds.length, ...(await kinds[i % kinds.length](i)), t: Date.now() }); }
    catch (e) {
      const id = e?.headers?.get?.('x-request-id') ?? null;
      results.push({ kind: i % kinds.length, id, status: e?.status ?? e?.cause?.code ?? 'error', t: Date.now() });
      if (!id) await new Promise((r) => setTimeout(r, 20)); // the gateway is away: do not spin
    }
  }
}));
writeFileSync(out, JSON.stringify(results));
JS

cat > "$DIR/check.mjs" << 'JS'
// node check.mjs DB RESULTS KILLED_AT_MS FLUSH_MS: compares the ledger's rows with the clients' ids.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(`${process.env.TREE}/package.json`);
const pg = require('pg');
const [db, file, killedAt, flushMs] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const results = JSON.parse(readFileSync(file, 'utf8'));
const c = new pg.Client(db);
await c.connect();
const { rows } = await c.query('select request_id from ledger_requests');
await c.end();
const stored = new Map();
for (const r of rows) stored.set(r.request_id, (stored.get(r.request_id) ?? 0) + 1);
const served = results.filter((r) => r.id);
const ids = new Set(served.map((r) => r.id));
let missing = served.filter((r) => !stored.has(r.id));
const extra = rows.filter((r) => !ids.has(r.request_id)).length;
const statuses = {};
for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
let note = '';
if (killedAt) {
  // A crash may lose the rows of requests that ended within the last flush interval, and those it cut.
  const lost = missing.filter((r) => r.t <= killedAt);
  const oldest = Math.max(0, ...lost.map((r) => killedAt - r.t));
  note = ` lost_before_kill=${lost.length} oldest_lost_ms=${oldest} cut_by_kill=${missing.length - lost.length}`;
  missing = [];
}
const ok = missing.length === 0 && extra === 0 && served.length === ids.size && served.length > 0;
// kill9 has no pass mark: what it may lose is bounded by the interval plus the batch in flight and the
// rows waiting for their token count (docs/ledger.md), which a loaded host stretches; it is reported.
console.log(`${ok ? (killedAt ? 'INFO' : 'PASS') : 'FAIL'} answers=${results.length} with_id=${served.length} rows=${rows.length} missing=${missing.length} extra=${extra}${note} statuses=${JSON.stringify(statuses)}`);
process.exitCode = ok ? 0 : 1;
JS

export TREE
S="node $TREE/bin/sluice.js"
cat > "$DIR/sluice.yaml" << YAML
server: { shutdown_grace_ms: 5000 }
storage: { database: "$DB" }
logging: { level: info }
providers:
  mock: { type: openai, base_url: "http://127.0.0.1:$UPPORT/v1", api_key: test-key }
chain:
  - use: auth
    with: { mode: api_key }
  - use: router
    with: { default: mock }
  - use: translator
  - use: ratelimit
    with: { store: memory, rules: [{ scope: key, match: "*", rpm: 1000000 }] }
  - use: ledger
    with: { spill_dir: ./spill }   # flush_interval_ms: 1000, the default
YAML
cd "$DIR"
node upstream.mjs "$UPPORT" & UP=$!
$S migrate -c sluice.yaml > /dev/null
$S user add bench -c sluice.yaml > /dev/null
KEY=$($S key create --user bench -c sluice.yaml --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
gw_start() { $S start -c sluice.yaml --port "$GWPORT" >> "gw-$1.log" 2>&1 & GW=$!; until curl -sf "http://127.0.0.1:$GWPORT/health" > /dev/null; do kill -0 "$GW" || return 1; sleep 0.1; done; }
gw_stop() { kill "-${2:-TERM}" "$GW"; wait "$GW" 2> /dev/null || true; GW=; }
FAILED=0
for s in "${SCENARIOS[@]}"; do
  psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres postgres -c 'truncate ledger_requests' > /dev/null
  rm -rf spill "res-$s.json" "res-$s.json.stop"
  gw_start "$s"
  node load.mjs "http://127.0.0.1:$GWPORT" "$KEY" "res-$s.json" & LOAD=$!
  sleep 4
  KILLED=0
  case $s in
    fast) pgctl restart -m fast ;;
    immediate) pgctl restart -m immediate ;;
    stop) pgctl stop -m fast; sleep 25; pgctl start ;;
    sigterm) gw_stop "$s"; gw_start "$s" ;;
    sigterm-down) pgctl stop -m fast; sleep 3; gw_stop "$s"; pgctl start; gw_start "$s" ;;
    kill9) KILLED=$(date +%s%3N); gw_stop "$s" KILL; gw_start "$s" ;;
    *) echo "unknown scenario $s"; exit 2 ;;
  esac
  sleep 4
  touch "res-$s.json.stop"; wait $LOAD
  # Rows spilled during the outage are replayed once writes succeed: give the running gateway 20 s.
  DRAINED=no
  for _ in $(seq 200); do
    M=$(curl -sf "http://127.0.0.1:$GWPORT/metrics" || true)
    if grep -q '^sluice_ledger_spill_rows 0$' <<< "$M"; then DRAINED=yes; break; fi
    sleep 0.1
  done
  gw_stop "$s"
  # What a shutdown left in the spill file, the next start replays (docs/ledger.md): one more start.
  LEFT=$( (cat spill/*.jsonl 2> /dev/null || true) | wc -l)
  if [ "$LEFT" -gt 0 ]; then gw_start "$s-replay"; sleep 2; gw_stop "$s-replay"; fi
  printf '%-13s drained_while_running=%s left_for_next_start=%s ' "$s" "$DRAINED" "$LEFT"
  node check.mjs "$DB" "res-$s.json" "$KILLED" 1000 || FAILED=1
done
echo "(logs: $DIR)"
exit $FAILED
