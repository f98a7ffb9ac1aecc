#!/usr/bin/env bash
# Start-up time of the `sluice` commands a newcomer runs first, from process spawn to exit.
# Usage: bench/cli-startup.sh [RUNS]   (build first: npx tsc -p tsconfig.json)
# Needs hyperfine (apt-get install -y hyperfine). Prints p50 wall time and mean CPU (user + sys)
# per command; CPU time moves less than wall time when other work shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install -y hyperfine)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf 'some text with a@example.com and ghp_%s\n' "$(printf 'a%.0s' {1..36})" > "$tmp/scan.txt"
# A config with remote providers too: validating it builds their HTTP pools (undici).
cat > "$tmp/remote.yaml" <<'YAML'
providers:
  openai: { type: openai, api_key: sk-unused }
  anthropic: { type: anthropic, api_key: unused }
  local: { type: loopback }
chain:
  - use: router
    with: { routes: [{ match: "gpt-*", provider: openai }, { match: "claude*", provider: anthropic }], default: local }
  - use: translator
YAML
export SLUICE_HOME="$tmp/home"
unset SLUICE_CONFIG
hyperfine -N --warmup 3 --runs "$runs" -i --style none --export-json "$tmp/out.json" \
  -n "node (empty script)" "node -e 0" \
  -n "sluice --help" "node bin/sluice.js --help" \
  -n "sluice config validate (embedded default)" "node bin/sluice.js config validate" \
  -n "sluice config validate (openai + anthropic)" "node bin/sluice.js config validate $tmp/remote.yaml" \
  -n "sluice plugins" "node bin/sluice.js plugins" \
  -n "sluice scan FILE" "node bin/sluice.js scan $tmp/scan.txt" \
  >/dev/null
node -e '
const { results } = require(process.argv[1]);
console.log("| command | p50 wall | min wall | mean CPU (user+sys) |");
console.log("|---|---:|---:|---:|");
for (const r of results) {
  const ms = (s) => `${Math.round(s * 1000)} ms`;
  console.log(`| ${r.command} | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.user + r.system)} |`);
}' "$tmp/out.json"
echo
echo "node $(node --version), $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $runs runs each"
