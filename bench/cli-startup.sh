#!/usr/bin/env bash
# Start-up time of the `sluice` commands a newcomer runs first, from process spawn to exit.
# Usage: bench/cli-startup.sh [RUNS] [OTHER_CHECKOUT]
#   RUNS            runs per command (default 20)
#   OTHER_CHECKOUT  a built checkout to compare with, measured interleaved under the same load, e.g.
#                   git archive OLD | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/ &&
#                   (cd /tmp/old && npm run build)
# Build first with `npm run build`: tsc, then scripts/bundle-vendor.mjs, which makes zod, yaml and
# semver one file each with a code cache (tsc alone leaves them loading from node_modules, slower).
# Needs hyperfine (apt-get install -y hyperfine). Prints p50 and min wall time and mean CPU
# (user + sys) per command; CPU time moves less than wall time when other work shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
other="${2:-}"
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install -y hyperfine)" >&2; exit 1; }
for root in . ${other:+"$other"}; do
  if [ -f "$root/core/vendor/zod.ts" ] && ! grep -q 'runBundle(' "$root/dist/core/vendor/zod.js" 2>/dev/null; then
    echo "warning: $root was built by tsc alone (zod, yaml and semver unbundled): run npm run build there" >&2
  fi
done
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

args=(-n "node (empty script)" "node -e 0")
add() { # add LABEL ROOT
  local label="$1" root="$2" s="node $2/bin/sluice.js"
  args+=(-n "$label sluice --help" "$s --help")
  args+=(-n "$label sluice config validate (embedded default)" "$s config validate $root/config/sluice.yaml")
  args+=(-n "$label sluice config validate (openai + anthropic)" "$s config validate $tmp/remote.yaml")
  args+=(-n "$label sluice plugins" "$s plugins --config $root/config/sluice.yaml")
  args+=(-n "$label sluice scan FILE" "$s scan $tmp/scan.txt")
}
if [ -n "$other" ]; then add "[other]" "$(cd "$other" && pwd)"; add "[this]" "$PWD"; else add "" "$PWD"; fi

hyperfine -N --warmup 3 --runs "$runs" -i --style none --export-json "$tmp/out.json" "${args[@]}" >/dev/null 2>&1
node -e '
const { results } = require(process.argv[1]);
console.log("| command | p50 wall | min wall | mean CPU (user+sys) |");
console.log("|---|---:|---:|---:|");
for (const r of results) {
  const ms = (s) => `${Math.round(s * 1000)} ms`;
  console.log(`| ${r.command.trim()} | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.user + r.system)} |`);
}' "$tmp/out.json"
echo
echo "node $(node --version), $(nproc) cores, load average after the run $(cut -d" " -f1-3 /proc/loadavg), $runs runs each"
