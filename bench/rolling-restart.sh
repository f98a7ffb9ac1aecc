#!/usr/bin/env bash
# Rolling restarts behind nginx: two `sluice start` instances (the offline loopback model) behind
# nginx (examples/nginx/sluice.conf's upstream settings: keepalive 64, keepalive_timeout 4s, proxy_next_upstream error
# timeout), 16 clients posting chat requests back to back over kept-alive connections, and each
# instance stopped (SIGTERM) and restarted twice, 11 s apart (more than nginx's fail_timeout).
# Prints the clients' tally of statuses and errors: every request should be a 200.
#
#   bench/rolling-restart.sh [SLUICE_TREE] [PORT_BASE]     (needs nginx: apt-get install -y nginx)
set -euo pipefail
TREE=$(cd "${1:-$(dirname "$0")/..}" && pwd)
BASE=${2:-18700}
NGINX=${NGINX:-/usr/sbin/nginx}
DIR=$(mktemp -d /tmp/sluice-rolling-XXXXXX)
mkdir -p "$DIR/logs"
cat > "$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/cbt; proxy_temp_path $DIR/pt; fastcgi_temp_path $DIR/ft; uwsgi_temp_path $DIR/ut; scgi_temp_path $DIR/st;
  upstream sluice { server 127.0.0.1:$((BASE + 1)); server 127.0.0.1:$((BASE + 2)); keepalive 64; keepalive_timeout 4s; }
  server {
    listen 127.0.0.1:$BASE;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_buffering off;
    proxy_next_upstream error timeout;
    location / { proxy_pass http://sluice; }
  }
}
CONF
cat > "$DIR/sluice.yaml" <<'CONF'
server: { shutdown_grace_ms: 10000 }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
CONF
cat > "$DIR/load.mjs" <<'JS'
import http from 'node:http';
const [url, seconds, conc] = [new URL(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello there' }] });
const tally = {};
const count = (k) => { tally[k] = (tally[k] ?? 0) + 1; };
const end = Date.now() + seconds * 1000;
const one = () => new Promise((resolve) => {
  const req = http.request({ host: url.hostname, port: url.port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    res.resume();
    res.on('end', () => { count(res.statusCode); resolve(); });
  });
  req.on('error', (e) => { count(e.code); resolve(); });
  req.end(body);
});
await Promise.all(Array.from({ length: conc }, async () => { while (Date.now() < end) await one(); }));
console.log(JSON.stringify(tally));
agent.destroy();
JS
start() { (cd "$DIR" && exec node "$TREE/bin/sluice.js" start -c sluice.yaml --port "$1" > "inst$1.log" 2>&1) & echo $!; }
up() { until curl -sf "http://127.0.0.1:$1/health" > /dev/null; do sleep 0.1; done; }
stop() { kill -TERM "$1"; while kill -0 "$1" 2> /dev/null; do sleep 0.05; done; }
"$NGINX" -p "$DIR" -c "$DIR/nginx.conf"
P1=$(start $((BASE + 1))); P2=$(start $((BASE + 2)))
trap 'kill $P1 $P2 2> /dev/null || true; kill -QUIT "$(cat "$DIR/nginx.pid")" 2> /dev/null || true' EXIT
up $((BASE + 1)); up $((BASE + 2)); sleep 1
node "$DIR/load.mjs" "http://127.0.0.1:$BASE" 52 16 > "$DIR/tally.json" & LOAD=$!
for _ in 1 2; do
  sleep 2; stop "$P1"; P1=$(start $((BASE + 1))); up $((BASE + 1)); sleep 11
  stop "$P2"; P2=$(start $((BASE + 2))); up $((BASE + 2)); sleep 11
done
wait $LOAD
echo "statuses: $(cat "$DIR/tally.json")  (nginx's log: $DIR/logs/error.log)"
