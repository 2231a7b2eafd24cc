#!/usr/bin/env bash
# Checks tickguard.service: `systemd-analyze verify` must print nothing (it exits 0 even on unknown
# keys, so stderr is what counts) and `systemd-analyze security` must rate it at most MAX_EXPOSURE.
# Usage: check-unit.sh UNIT [BINARY]
#   BINARY: run verify on a copy whose ExecStart points at it (verify wants an existing executable),
#           and skip the man page check (man:tickguard(1) is only there once the package is installed).
#           Without BINARY the unit is verified as is, man page included (the installed unit).
set -euo pipefail
unit=$1
binary=${2:+$(realpath "$2")}
max_exposure=${MAX_EXPOSURE:-2.0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

verify_args=()
target=$unit
if [ -n "$binary" ]; then
  target=$work/tickguard.service
  sed "s#/usr/bin/tickguard#${binary}#g" "$unit" >"$target"
  verify_args+=(--man=no)
fi
if ! systemd-analyze verify "${verify_args[@]}" "$target" >"$work/verify.out" 2>&1 || [ -s "$work/verify.out" ]; then
  echo "FAIL: systemd-analyze verify $unit:" >&2
  cat "$work/verify.out" >&2
  exit 1
fi
echo "systemd-analyze verify: clean"

systemd-analyze security --offline=true --no-pager "$unit" >"$work/security.out" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.out")
if [ -z "$exposure" ]; then
  echo "FAIL: no exposure level in systemd-analyze security output:" >&2
  cat "$work/security.out" >&2
  exit 1
fi
echo "systemd-analyze security: overall exposure level $exposure (at most $max_exposure allowed)"
grep '✗' "$work/security.out" | sed 's/^/  /' || true
if ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
  echo "FAIL: exposure $exposure is above $max_exposure" >&2
  exit 1
fi
