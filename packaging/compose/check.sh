#!/usr/bin/env bash
# Static checks of the compose stack (no registry, no container started): the compose file against
# the Compose schema (`docker-compose config`, apt package docker-compose), prometheus.yml with the
# rule files it loads (`promtool check config`, apt: prometheus), alertmanager.yml (`amtool
# check-config`, apt: prometheus-alertmanager), and that every file the stack mounts exists.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
cd "$here"

for tool in docker-compose promtool amtool; do
  command -v "$tool" >/dev/null || { echo "check: $tool not found (apt-get install docker-compose prometheus prometheus-alertmanager)" >&2; exit 1; }
done

docker-compose config --quiet
echo "check: compose.yaml: valid"

# Every bind-mounted file or directory (the "- SOURCE:TARGET" lines starting with . or /).
grep -oE '^\s+- \.{1,2}/[^:]+' compose.yaml | sed -E 's/^\s+- //' | while read -r source; do
  [ -e "$source" ] || { echo "check: mounted path $source does not exist" >&2; exit 1; }
done
echo "check: every mounted path exists"

# Prometheus sees the rules at /etc/prometheus/rules/: check a copy pointing at the repository's.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed "s#/etc/prometheus/rules/#$repo_root/alerting/#" prometheus.yml >"$scratch/prometheus.yml"
promtool check config "$scratch/prometheus.yml" >/dev/null
echo "check: prometheus.yml and its rule files: valid"

amtool check-config "$repo_root/alerting/alertmanager.yml" >/dev/null
echo "check: alertmanager.yml: valid"
