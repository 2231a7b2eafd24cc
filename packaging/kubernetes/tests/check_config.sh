#!/usr/bin/env bash
# Packaging.KubernetesConfig: `tickguard check-config` accepts base/tickguard.toml (the ConfigMap
# every shard loads) and its commented simulator alternative, uncommented in place of the feeds.
#   check_config.sh TICKGUARD_BINARY
set -euo pipefail

tickguard="${1:?usage: check_config.sh TICKGUARD_BINARY}"
config="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/base/tickguard.toml"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== check-config base/tickguard.toml"
"$tickguard" check-config "$config"

# The simulator alternative: the file without its [[feed]] tables, plus the commented block's
# TOML lines ("# [[feed]]", "# key = value") after the marker line, uncommented.
awk '/^\[\[feed\]\]/ { skip = 1 } /^\[/ && !/^\[\[feed\]\]/ { skip = 0 } /^# --- Simulator alternative/ { exit }
     !skip' "$config" >"$scratch/simulator.toml"
sed -n '/^# --- Simulator alternative/,$p' "$config" | grep -E '^# (\[\[feed\]\]|[a-z_]+ = )' |
  sed 's/^# //' >>"$scratch/simulator.toml"
if ! grep -q '^exchange = "simulator"' "$scratch/simulator.toml"; then
  echo "check_config.sh: no simulator alternative found in $config" >&2
  exit 1
fi
echo "== check-config (simulator alternative)"
"$tickguard" check-config "$scratch/simulator.toml"
