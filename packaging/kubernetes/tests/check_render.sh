#!/usr/bin/env bash
# Packaging.KubernetesRender: the generated files of packaging/kubernetes are up to date, the base
# and every overlay render with `kubectl kustomize` (no cluster needed), and check_render.py finds
# in each what the deployment relies on (see its docstring). The base must deploy 3 shards and
# overlays/five-shards 5.
#
# KUBECTL, JSONNET and PYTHON name the tools (default: on PATH). RENDER_DIR keeps the renders
# (default: a temporary directory, removed at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
kubectl="${KUBECTL:-kubectl}"
python="${PYTHON:-python3}"

for tool in "$kubectl" "$python" "${JSONNET:-jsonnet}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check_render.sh: '$tool' not found (apt install kubernetes-client jsonnet python3-yaml)" >&2
    exit 1
  fi
done

if [[ -n "${RENDER_DIR:-}" ]]; then
  out="$RENDER_DIR"
  mkdir -p "$out"
else
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi

echo "== generate.sh --check"
bash "$here/generate.sh" --check

echo "== $("$kubectl" version --client 2>/dev/null | head -n 1)"
declare -A expected_shards=([base]=3 [five-shards]=5)
renders=()
for dir in "$here/base" "$here"/overlays/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  echo "== kubectl kustomize ${dir#"$root"/}"
  # Newer kustomize warns on stderr about the v2-compatible fields; show stderr only on failure.
  if ! "$kubectl" kustomize "$dir" >"$out/$name.yaml" 2>"$out/$name.stderr"; then
    cat "$out/$name.stderr" >&2
    echo "check_render.sh: kubectl kustomize ${dir#"$root"/} failed" >&2
    exit 1
  fi
  renders+=("$out/$name.yaml${expected_shards[$name]:+:${expected_shards[$name]}}")
done

echo "== check_render.py"
"$python" "$here/tests/check_render.py" "$root" "${renders[@]}"
