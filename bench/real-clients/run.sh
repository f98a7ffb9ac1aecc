#!/usr/bin/env bash
# Real-client trials: Claude Code, Codex CLI and Gemini CLI run a two-step shell task through Sluice
# against the offline loopback model. See README.md beside this file.
#
#   CLIENTS_DIR=/work/clients bench/real-clients/run.sh [PAIRING ...]
#
# Pairings (default: all):
#   claude-passthrough   Claude Code → Sluice (anthropic.messages) → loopback, natively
#   claude-openai        Claude Code → Sluice → [openai provider] → upstream Sluice (loopback)
#   codex-passthrough    Codex CLI   → Sluice (openai.responses) → loopback, natively
#   codex-anthropic      Codex CLI   → Sluice → [anthropic provider] → upstream Sluice (loopback)
#   gemini-passthrough   Gemini CLI  → Sluice (gemini.generate) → loopback, natively
#   gemini-gemini        Gemini CLI  → Sluice → [gemini provider] → upstream Sluice (loopback)
#   gemini-openai        Gemini CLI  → Sluice → [openai provider] → upstream Sluice (loopback)
# Any CLIENT-ROUTE works (CLIENT: claude|codex|gemini; ROUTE: passthrough|openai|anthropic|gemini),
# e.g. claude-anthropic, claude-gemini, codex-openai, codex-gemini, gemini-anthropic.
#
# Environment: CLIENTS_DIR (where `npm install --prefix` put the clients), SLUICE_ROOT (the repo,
# default: two levels up), OUT_DIR (artifacts; default /tmp/sluice-real-clients/<time>),
# CLAUDE_BIN / CODEX_BIN / GEMINI_BIN (override one client's executable), CLIENT_TIMEOUT (seconds per client run, default 180), TRANSLATOR (auto|yes|no: put `translator`
# after the router; auto = only if the config validates with it), LOG_LEVEL (gateway, default
# debug), TASK (two-step|think|parallel|secret|loop|read-files, see helpers.mjs and README.md;
# default two-step), FIREWALL (off|monitor|enforce|redact: `use: firewall` first in the gateway's
# chain, with restore: true; default off), DEDUPE (off|enforce|monitor: `use: dedupe` first in
# the gateway's chain, warn_at DEDUPE_WARN_AT=3, block_at DEDUPE_BLOCK_AT=5, block_with
# DEDUPE_BLOCK_WITH=message; default off), GEMINI_LOOP_DETECTION (on|off: Gemini CLI's own loop
# detection, model.disableLoopDetection; default on), FIXTURE_DIR (write each pairing's
# generation requests there as a dedupe replay fixture, see README.md), CODEX_WEBSOCKETS (true|false: supports_websockets for Codex's provider; default true, so
# Codex runs its turns on a WebSocket on /v1/responses, which Sluice serves; false: HTTP + SSE only),
# CLAUDE_MODEL, CODEX_MODEL, GEMINI_MODEL, TAP (1 = put tap.mjs between client and gateway,
# default 1), KEEP_BODIES (1 = save every request/response body the tap sees, default 1).
# Exit status: 0 if every pairing passed, 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SLUICE_ROOT=${SLUICE_ROOT:-$(cd "$HERE/../.." && pwd)}
CLIENTS_DIR=${CLIENTS_DIR:-/work/clients}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-180}
TRANSLATOR=${TRANSLATOR:-auto}
LOG_LEVEL=${LOG_LEVEL:-debug}
# Models: set one to the empty string to let the client pick its own default (no -m/--model).
CLAUDE_MODEL=${CLAUDE_MODEL-claude-sonnet-4-5}
CODEX_MODEL=${CODEX_MODEL-gpt-5.5}
GEMINI_MODEL=${GEMINI_MODEL-gemini-2.5-flash}
CODEX_WEBSOCKETS=${CODEX_WEBSOCKETS-true}
TASK=${TASK:-two-step}
FIREWALL=${FIREWALL:-off}
DEDUPE=${DEDUPE:-off}
DEDUPE_WARN_AT=${DEDUPE_WARN_AT:-3}
DEDUPE_BLOCK_AT=${DEDUPE_BLOCK_AT:-5}
DEDUPE_BLOCK_WITH=${DEDUPE_BLOCK_WITH:-message}
GEMINI_LOOP_DETECTION=${GEMINI_LOOP_DETECTION:-on}
FIXTURE_DIR=${FIXTURE_DIR:-}
TAP=${TAP:-1}
KEEP_BODIES=${KEEP_BODIES:-1}
OUT_DIR=${OUT_DIR:-/tmp/sluice-real-clients/$(date +%Y%m%d-%H%M%S)}
ALL_PAIRINGS="claude-passthrough claude-openai codex-passthrough codex-anthropic gemini-passthrough gemini-gemini gemini-openai"
PAIRINGS=${*:-$ALL_PAIRINGS}

# SLUICE_SNAPSHOT=head: build and run the last commit (git archive HEAD into /tmp, node_modules
# symlinked) instead of the repo's own dist, so other people's half-written changes and rebuilds
# cannot break a run. SLUICE_SNAPSHOT=worktree: the same with a copy of the working tree
# (tracked and untracked files) — to try pieces before they are committed.
case "${SLUICE_SNAPSHOT:-0}" in
  0 | no | "") ;;
  head | 1 | worktree)
    sha=$(git -C "$SLUICE_ROOT" rev-parse --short HEAD) || exit 2
    if [ "$SLUICE_SNAPSHOT" = worktree ]; then snap="/tmp/sluice-real-clients/wt-$sha-$(date +%H%M%S)"; else snap="/tmp/sluice-real-clients/snap-$sha"; fi
    if [ ! -f "$snap/dist/core/cli/main.js" ]; then
      rm -rf "$snap"; mkdir -p "$snap"
      if [ "$SLUICE_SNAPSHOT" = worktree ]; then
        (cd "$SLUICE_ROOT" && git ls-files -z -co --exclude-standard | grep -zv '^bench/real-clients/' | xargs -0 tar -c -f - 2>/dev/null) | tar -x -C "$snap" || exit 2
      else
        git -C "$SLUICE_ROOT" archive HEAD | tar -x -C "$snap" || exit 2
      fi
      ln -s "$SLUICE_ROOT/node_modules" "$snap/node_modules"
      (cd "$snap" && npm run -s build >"$snap/build.log" 2>&1) || echo "run.sh: snapshot build reported errors (see $snap/build.log)" >&2
    fi
    SLUICE_ROOT=$snap ;;
  *) echo "run.sh: SLUICE_SNAPSHOT must be head, worktree or 0" >&2; exit 2 ;;
esac
SLUICE="$SLUICE_ROOT/bin/sluice.js"
BIN="$CLIENTS_DIR/node_modules/.bin"
CLAUDE_BIN=${CLAUDE_BIN:-$BIN/claude}
CODEX_BIN=${CODEX_BIN:-$BIN/codex}
GEMINI_BIN=${GEMINI_BIN:-$BIN/gemini}
NODE_DIR=$(dirname "$(command -v node)")
H="$HERE/helpers.mjs"

die() { echo "run.sh: $*" >&2; exit 2; }
[ -f "$SLUICE" ] || die "no $SLUICE (set SLUICE_ROOT)"
[ -f "$SLUICE_ROOT/dist/core/cli/main.js" ] || die "Sluice is not built: cd $SLUICE_ROOT && npm run build"
for c in "$CLAUDE_BIN" "$CODEX_BIN" "$GEMINI_BIN"; do [ -x "$c" ] || echo "run.sh: warning: $c missing (see README.md)" >&2; done
mkdir -p "$OUT_DIR"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

free_port() { node "$H" free-port; }

wait_http() { # URL SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_sluice CONFIG LOG → pid in $STARTED_PID
start_sluice() {
  node "$SLUICE" start --config "$1" >"$2" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# write_config FILE PORT DB PROVIDER_YAML WITH_TRANSLATOR [GATEWAY]
# GATEWAY=1: the Sluice under test, which gets FIREWALL / DEDUPE first in its chain (the upstream
# Sluice never does: it stands for the provider).
write_config() {
  {
    echo "server: { host: 127.0.0.1, port: $2 }"
    echo "storage: { database: \"sqlite:$3\" }"
    echo "logging: { level: $LOG_LEVEL }"
    echo "providers:"
    echo "  up: $4"
    echo "chain:"
    if [ "${6:-0}" = 1 ] && [ "$FIREWALL" != off ]; then
      echo "  - use: firewall"
      echo "    with: { mode: $FIREWALL, restore: true }"
    fi
    if [ "${6:-0}" = 1 ] && [ "$DEDUPE" != off ]; then
      echo "  - use: dedupe"
      echo "    with: { mode: $DEDUPE, warn_at: $DEDUPE_WARN_AT, block_at: $DEDUPE_BLOCK_AT, block_with: $DEDUPE_BLOCK_WITH }"
    fi
    echo "  - use: router"
    echo "    with: { routes: [], default: up }"
    [ "$5" = 1 ] && echo "  - use: translator"
  } >"$1"
}

run_client() { # CLIENT DIR BASE_URL PROMPT → exit code
  local client=$1 d=$2 base=$3 prompt=$4
  local common=(env -i "PATH=$NODE_DIR:/usr/local/bin:/usr/bin:/bin" "HOME=$d/home" "LANG=C.UTF-8" "TERM=dumb" "NO_COLOR=1" "TMPDIR=$d/tmp")
  mkdir -p "$d/home" "$d/tmp"
  case $client in
    claude)
      # -p + --allowedTools Bash auto-approves the shell tool; --dangerously-skip-permissions is
      # refused as root unless IS_SANDBOX=1, so it is only added when not root.
      local skip=(); [ "$(id -u)" != 0 ] && skip=(--dangerously-skip-permissions)
      local model=() menv=()
      if [ -n "$CLAUDE_MODEL" ]; then
        model=(--model "$CLAUDE_MODEL")
        menv=("ANTHROPIC_MODEL=$CLAUDE_MODEL" "ANTHROPIC_SMALL_FAST_MODEL=$CLAUDE_MODEL" "ANTHROPIC_DEFAULT_HAIKU_MODEL=$CLAUDE_MODEL")
      fi
      (cd "$d/work" && "${common[@]}" "${menv[@]}" \
        ANTHROPIC_BASE_URL="$base" ANTHROPIC_API_KEY=sk-ant-dummy-sluice-trial \
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 \
        DISABLE_ERROR_REPORTING=1 DISABLE_BUG_COMMAND=1 DISABLE_COST_WARNINGS=1 \
        timeout -k 10 "$CLIENT_TIMEOUT" "$CLAUDE_BIN" -p "$prompt" "${model[@]}" \
          --output-format json --allowedTools Bash --no-session-persistence "${skip[@]}" \
        >"$d/client.stdout" 2>"$d/client.stderr" </dev/null)
      local rc=$?
      node "$H" final claude "$d/client.stdout" >"$d/final.txt"
      return $rc ;;
    codex)
      mkdir -p "$d/home/.codex"
      local CODEX_WS_LINE="# supports_websockets: Codex's default"
      [ -n "${CODEX_WEBSOCKETS:-}" ] && CODEX_WS_LINE="supports_websockets = $CODEX_WEBSOCKETS"
      cat >"$d/home/.codex/config.toml" <<EOF
$([ -n "$CODEX_MODEL" ] && echo "model = \"$CODEX_MODEL\"")
model_provider = "sluice"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.sluice]
name = "Sluice"
base_url = "$base/v1"
env_key = "SLUICE_API_KEY"
wire_api = "responses"
$CODEX_WS_LINE
request_max_retries = 0
stream_max_retries = 0

[features]
# no plugin/app sync with github.com / chatgpt.com; fail fast instead of retrying forever
plugins = false
remote_plugin = false
apps = false
unbounded_connection_retries = false

[analytics]
enabled = false

[feedback]
enabled = false
EOF
      (cd "$d/work" && "${common[@]}" CODEX_HOME="$d/home/.codex" SLUICE_API_KEY=sk-dummy-sluice-trial RUST_LOG=warn \
        timeout -k 10 "$CLIENT_TIMEOUT" "$CODEX_BIN" exec --skip-git-repo-check \
          --dangerously-bypass-approvals-and-sandbox --ephemeral -C "$d/work" ${CODEX_MODEL:+-m "$CODEX_MODEL"} \
          --json -o "$d/final.txt" "$prompt" \
        >"$d/client.stdout" 2>"$d/client.stderr" </dev/null)
      return $? ;;
    gemini)
      mkdir -p "$d/home/.gemini"
      # Auth: with only env vars, GOOGLE_GEMINI_BASE_URL makes Gemini CLI pick its "gateway" auth
      # type, which headless mode then rejects ("Invalid auth method selected.", exit 41); naming
      # gemini-api-key in settings keeps the API-key path (x-goog-api-key) and still honours
      # GOOGLE_GEMINI_BASE_URL.
      local no_loop=false; [ "$GEMINI_LOOP_DETECTION" = off ] && no_loop=true
      cat >"$d/home/.gemini/settings.json" <<EOF
{
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "model": { "disableLoopDetection": $no_loop },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "security": { "auth": { "selectedType": "gemini-api-key" } }
}
EOF
      (cd "$d/work" && "${common[@]}" GEMINI_API_KEY=dummy-sluice-trial GOOGLE_GEMINI_BASE_URL="$base" \
        GEMINI_CLI_TRUST_WORKSPACE=true GEMINI_TELEMETRY_ENABLED=false \
        timeout -k 10 "$CLIENT_TIMEOUT" "$GEMINI_BIN" -p "$prompt" ${GEMINI_MODEL:+-m "$GEMINI_MODEL"} --yolo --skip-trust -o json \
        >"$d/client.stdout" 2>"$d/client.stderr" </dev/null)
      local rc=$?
      node "$H" final gemini "$d/client.stdout" >"$d/final.txt"
      return $rc ;;
  esac
}

provider_yaml() { # ROUTE UPSTREAM_PORT
  case $1 in
    passthrough) echo "{ type: loopback }" ;;
    openai) echo "{ type: openai, base_url: \"http://127.0.0.1:$2/v1\", api_key: dummy-upstream-key }" ;;
    openaichat) echo "{ type: openai, base_url: \"http://127.0.0.1:$2/v1\", api_key: dummy-upstream-key, protocols: [openai.chat] }" ;;
    anthropic) echo "{ type: anthropic, base_url: \"http://127.0.0.1:$2\", api_key: dummy-upstream-key }" ;;
    gemini) echo "{ type: gemini, base_url: \"http://127.0.0.1:$2\", api_key: dummy-upstream-key }" ;;
    *) return 1 ;;
  esac
}

print_tap() { # TAP_LOG
  [ -f "$1" ] || return 0
  node -e '
    for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)) {
      const j = JSON.parse(l); if (j.msg || j.path === "/health") continue;
      const r = j.req ? ` model=${j.req.model} stream=${j.req.stream} items=${j.req.messages ?? j.req.input ?? j.req.contents} last=${JSON.stringify(j.req.last)} tools=${(j.req.tools ?? []).length}` : "";
      console.log(`  #${j.seq} ${j.method} ${j.path} → ${j.status ?? j.connect_error ?? ""}${j.upgrade ? " (upgrade)" : ""}${r}${j.terminal ? " terminal=" + j.terminal.join(",") : ""}${j.done ? " [DONE]" : ""}`);
      if (j.error_body) console.log(`      error body: ${j.error_body.slice(0, 600)}`);
      if (j.body) console.log(`      body: ${j.body.slice(0, 300)}`);
      if (j.stream_errors) console.log(`      stream errors: ${j.stream_errors.join(" | ").slice(0, 600)}`);
      if (j.incomplete) console.log(`      incomplete (${j.incomplete}) after ${j.ms} ms, ${j.bytes_received} bytes; tail: ${JSON.stringify(j.tail ?? "").slice(0, 400)}`);
    }' "$1"
}

# The verdicts read the run's artifacts in $d and set verdict, checks and notes (run_pairing's locals).
fail() { verdict=FAIL; notes+=("$*"); }
client_exit() { [ "$rc" = 0 ] || fail "client exit $rc$([ "$rc" = 124 ] && echo ' (timeout)')"; }

# two-step / think / parallel: both shell steps ran (their files exist) and the final answer came back.
verdict_two_step() {
  local s1=no s2=no fin=no
  grep -qx step-one "$d/work/step1.txt" 2>/dev/null && s1=yes
  grep -qx step-two "$d/work/step2.txt" 2>/dev/null && s2=yes
  grep -q "sluice-two-ok" "$d/final.txt" 2>/dev/null && grep -q "returned" "$d/final.txt" && fin=yes
  client_exit
  [ $s1 = yes ] || fail "step1 did not run"
  [ $s2 = yes ] || fail "step2 did not run"
  [ $fin = yes ] || fail "final answer missing: $(head -c 200 "$d/final.txt" 2>/dev/null | tr '\n' ' ')"
  checks="step1: $s1  step2: $s2  final: $fin"
}

# secret: the task completed with the real values (restore put the AWS key back into the streamed
# tool arguments, so the command wrote it; the answer quotes the token only the tool result held),
# and no value reached the upstream (its tap's log and bodies, its own log) or any Sluice log line.
verdict_secret() {
  local saved=no fin=no leaked placeholders
  grep -qx "$(node "$H" secrets | head -1)" "$d/work/secret.txt" 2>/dev/null && saved=yes
  grep -qF "$(node "$H" secrets | sed -n 3p)" "$d/final.txt" 2>/dev/null && grep -q "returned" "$d/final.txt" && fin=yes
  client_exit
  [ $saved = yes ] || fail "secret.txt does not hold the original key: $(head -c 80 "$d/work/secret.txt" 2>/dev/null)"
  [ $fin = yes ] || fail "final answer lacks the restored token: $(head -c 200 "$d/final.txt" 2>/dev/null | tr '\n' ' ')"
  [ -d "$d/upstream-bodies" ] || fail "no upstream bodies recorded (TASK=secret needs a route with an upstream Sluice and TAP=1)"
  leaked=$(node "$H" leaks "$d/upstream-bodies" "$d/upstream-tap.log" "$d/upstream.log" "$d/gateway.log" | sed "s|$d/||g" | tr '\n' ' ')
  [ -z "$leaked" ] || fail "secret leaked: $leaked"
  placeholders=$(node "$H" count-placeholders "$d/upstream-bodies")
  [ "$FIREWALL" = redact ] && [ -z "$placeholders" ] && fail "no placeholders upstream"
  checks="secret.txt=original: $saved  final has restored token: $fin  upstream placeholders: ${placeholders:-none}  leaks (upstream bodies+tap log, upstream.log, gateway.log): ${leaked:-none}"
}

# loop: loopback asks for the same call forever. With DEDUPE=enforce the loop must end at
# block_at — the command ran exactly block_at times, the client exited 0 and its final answer is
# the detector's message; without the detector the run goes on until the client's own limit or the
# timeout (recorded: how many times the command ran, how many model requests, how it ended); the
# control passes when the loop ran and nothing in Sluice stopped it.
verdict_loop() {
  local runs requests blocked warned fin=no ended=
  runs=$(wc -l <"$d/work/loop.log" 2>/dev/null || echo 0); runs=${runs// /}
  requests=$(grep -Ec '"method":"POST","path":"[^"]*(/v1/messages|/v1/responses|enerateContent)' "$d/tap.log" 2>/dev/null); requests=${requests:-0}
  blocked=$(grep -c '"outcome":"blocked"' "$d/gateway.log" 2>/dev/null); blocked=${blocked:-0}
  warned=$(grep -o '"findings":\[[^]]*REPEATED_TOOL_CALL[^]]*\]' "$d/gateway.log" 2>/dev/null | grep -vc blocked); warned=${warned:-0}
  grep -q "Stopped by Sluice.s loop detector" "$d/final.txt" 2>/dev/null && fin=yes
  if [ "$DEDUPE" = enforce ]; then
    # block_with: error — a 4xx the client reports as a failed request (its exit status is its own
    # business); block_with: message — a final answer, so the client must exit 0.
    if [ "$DEDUPE_BLOCK_WITH" = error ]; then
      grep -qs "SLUICE_E_LOOP_DETECTED\|loop detector" "$d/client.stdout" "$d/client.stderr" "$d/final.txt" || fail "the client did not report the detector's error"
    else client_exit; fi
    [ "$runs" = "$DEDUPE_BLOCK_AT" ] || fail "the command ran $runs times, not block_at=$DEDUPE_BLOCK_AT"
    [ "$blocked" = 1 ] || fail "$blocked blocked requests in the gateway log, not 1"
    if [ "$DEDUPE_BLOCK_WITH" = message ]; then [ $fin = yes ] || fail "final answer is not the detector's message: $(head -c 200 "$d/final.txt" 2>/dev/null | tr '\n' ' ')"; fi
  else # the control: nothing in Sluice stops the loop; it ends at the client's own limit or the timeout
    [ "$runs" -ge 2 ] || fail "control run: the loop did not run (the command ran $runs times)"
    [ "$blocked" = 0 ] || fail "control run: $blocked requests blocked"
    ended="client timeout after ${CLIENT_TIMEOUT}s"; [ "$rc" = 124 ] || ended="the client stopped itself (exit $rc): $(head -c 160 "$d/final.txt" 2>/dev/null | tr '\n' ' ')"
  fi
  checks="command runs: $runs  model requests: $requests  client exit: $rc after ${secs}s  gateway: blocked=$blocked noted=$warned  final is the detector's message: $fin${ended:+  ended: $ended}"
}

# read-files: an ordinary session (the same tool with new arguments each time, then the same call
# polling a job whose status moves) completes, and the loop detector, when in the chain, neither
# noted nor blocked anything.
verdict_read_files() {
  local polls fin=no findings
  polls=$(cat "$d/work/poll.count" 2>/dev/null || echo 0)
  grep -q "sluice-files-done" "$d/final.txt" 2>/dev/null && fin=yes
  findings=$(grep -Ec 'REPEATED_TOOL_CALL|TOOL_CYCLE|TOOL_FAILURE_STREAK' "$d/gateway.log" 2>/dev/null); findings=${findings:-0}
  client_exit
  [ "$polls" = 4 ] || fail "polled $polls times, not 4"
  [ $fin = yes ] || fail "final answer missing: $(head -c 200 "$d/final.txt" 2>/dev/null | tr '\n' ' ')"
  [ "$findings" = 0 ] || fail "$findings log lines with loop findings (false positives)"
  checks="polls: $polls  final: $fin  loop findings in the gateway log: $findings"
}

RESULTS=()
run_pairing() {
  local pairing=$1 client=${1%%-*} route=${1#*-}
  local d="$OUT_DIR/$pairing"
  rm -rf "$d"; mkdir -p "$d/work"
  local notes=() verdict=PASS rc secs
  local gw up tapp base
  provider_yaml "$route" 0 >/dev/null || { RESULTS+=("$pairing FAIL unknown pairing"); return; }
  echo "=== $pairing"

  # The upstream: a second Sluice serving only the loopback model.
  if [ "$route" != passthrough ]; then
    up=$(free_port)
    write_config "$d/upstream.yaml" "$up" "$d/upstream.db" "{ type: loopback }" 0
    start_sluice "$d/upstream.yaml" "$d/upstream.log"
    wait_http "http://127.0.0.1:$up/health" 20 || { RESULTS+=("$pairing FAIL upstream Sluice did not start: $(tail -c 600 "$d/upstream.log")"); cleanup; return; }
    if [ "$TAP" = 1 ]; then # a second tap records what the gateway sends upstream
      local utap; utap=$(free_port)
      local ubodies=(); [ "$KEEP_BODIES" = 1 ] && ubodies=("$d/upstream-bodies")
      node "$HERE/tap.mjs" "$utap" "$up" "$d/upstream-tap.log" "${ubodies[@]}" &
      PIDS+=("$!")
      wait_http "http://127.0.0.1:$utap/health" 10 && up=$utap
    fi
  fi

  # The Sluice under test.
  gw=$(free_port)
  local tr=0
  if [ "$route" != passthrough ] && [ "$TRANSLATOR" != no ]; then
    write_config "$d/gateway.yaml" "$gw" "$d/gateway.db" "$(provider_yaml "$route" "${up:-0}")" 1 1
    if [ "$TRANSLATOR" = yes ] || node "$SLUICE" config validate "$d/gateway.yaml" >"$d/validate.log" 2>&1; then tr=1
    else notes+=("translator not in chain (config validate: $(tr '\n' ' ' <"$d/validate.log" | cut -c1-200))"); fi
  fi
  write_config "$d/gateway.yaml" "$gw" "$d/gateway.db" "$(provider_yaml "$route" "${up:-0}")" "$tr" 1
  start_sluice "$d/gateway.yaml" "$d/gateway.log"
  if ! wait_http "http://127.0.0.1:$gw/health" 20; then
    RESULTS+=("$pairing FAIL gateway did not start: $(tail -c 600 "$d/gateway.log" | tr '\n' ' ')"); cleanup; return
  fi

  base="http://127.0.0.1:$gw"
  if [ "$TAP" = 1 ]; then
    tapp=$(free_port)
    local bodies=(); [ "$KEEP_BODIES" = 1 ] && bodies=("$d/bodies")
    node "$HERE/tap.mjs" "$tapp" "$gw" "$d/tap.log" "${bodies[@]}" &
    PIDS+=("$!")
    wait_http "http://127.0.0.1:$tapp/health" 10 || notes+=("tap did not start")
    base="http://127.0.0.1:$tapp"
  fi

  local prompt; prompt=$(node "$H" prompt "$client" "$d/work" "$TASK") || { RESULTS+=("$pairing FAIL bad TASK=$TASK"); cleanup; return; }
  printf '%s\n' "$prompt" >"$d/prompt.txt"
  node "$H" setup "$client" "$d/work" "$TASK"
  local t0=$SECONDS
  run_client "$client" "$d" "$base" "$prompt"; rc=$?
  secs=$((SECONDS - t0))
  sleep 0.3; cleanup

  local checks
  case $TASK in
    secret) verdict_secret ;;
    loop) verdict_loop ;;
    read-files) verdict_read_files ;;
    *) verdict_two_step ;;
  esac
  [ "$FIREWALL" != off ] && notes+=("firewall $FIREWALL")
  [ "$DEDUPE" != off ] && notes+=("dedupe $DEDUPE warn_at=$DEDUPE_WARN_AT block_at=$DEDUPE_BLOCK_AT block_with=$DEDUPE_BLOCK_WITH")
  if [ -n "$FIXTURE_DIR" ] && [ -d "$d/bodies" ]; then
    mkdir -p "$FIXTURE_DIR"
    node "$H" fixture "$client" "$d/bodies" "$client-$TASK" "$TASK" >"$FIXTURE_DIR/$client-$TASK.json" && notes+=("fixture $FIXTURE_DIR/$client-$TASK.json")
  fi
  [ "$tr" = 1 ] && notes+=("translator in chain")
  node "$H" check-streams "$d/bodies" >"$d/stream-checks.txt" 2>&1
  [ -s "$d/stream-checks.txt" ] && notes+=("client-side stream invariants: $(wc -l <"$d/stream-checks.txt") problem(s), see stream-checks.txt")
  if [ "$client" = codex ] && [ -f "$d/tap.log" ]; then
    local ws; ws=$(grep -c '"upgrade":"websocket"' "$d/tap.log")
    local ws426; ws426=$(grep '"upgrade":"websocket"' "$d/tap.log" | grep -c '"status":426')
    local posts; posts=$(grep -c '"method":"POST","path":"/v1/responses"' "$d/tap.log")
    notes+=("codex ws upgrades=$ws (426: $ws426), HTTP POST /v1/responses=$posts")
  fi
  {
    echo "pairing: $pairing (task $TASK)"; echo "verdict: $verdict"; echo "client exit: $rc after ${secs}s"
    echo "checks: $checks"; echo "notes: ${notes[*]:-}"
    echo "final answer: $(head -c 400 "$d/final.txt" 2>/dev/null)"
    echo "--- requests seen by the tap (client → gateway)"; print_tap "$d/tap.log"
    [ -s "$d/stream-checks.txt" ] && { echo "--- stream invariant problems (client side)"; head -n 20 "$d/stream-checks.txt"; }
    [ -f "$d/upstream-tap.log" ] && { echo "--- requests seen by the upstream tap (gateway → upstream)"; print_tap "$d/upstream-tap.log"; }
    echo "--- gateway log"; node "$H" summary "$d/gateway.log"
    [ -f "$d/upstream.log" ] && { echo "--- upstream log"; node "$H" summary "$d/upstream.log"; }
    echo "--- client stderr (tail)"; tail -n 15 "$d/client.stderr" 2>/dev/null | cut -c1-400
  } >"$d/result.txt"
  sed 's/^/  /' "$d/result.txt" | head -n 60
  RESULTS+=("$pairing [$TASK] $verdict ${notes[*]:-}")
}

echo "Sluice: $SLUICE_ROOT ${sha:+(${SLUICE_SNAPSHOT} snapshot of $sha)}$(git -C "$SLUICE_ROOT" log -1 --format='(%h %s)' 2>/dev/null)"
VH="$OUT_DIR/.version-home"; mkdir -p "$VH"
echo "Clients: claude $(HOME=$VH "$CLAUDE_BIN" --version 2>/dev/null | head -1), codex $(HOME=$VH "$CODEX_BIN" --version 2>/dev/null | tail -1), gemini $(HOME=$VH "$GEMINI_BIN" --version 2>/dev/null | tail -1)"
echo "Artifacts: $OUT_DIR"
for p in $PAIRINGS; do run_pairing "$p"; done

echo
echo "=== summary"
fail=0
for r in "${RESULTS[@]}"; do echo "$r"; case $r in *" FAIL"*) fail=1 ;; esac; done | tee "$OUT_DIR/summary.txt"
grep -q ' FAIL' "$OUT_DIR/summary.txt" && exit 1
exit 0
