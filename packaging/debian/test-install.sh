#!/usr/bin/env bash
# End-to-end test of the Debian package: builds it from a copy of the source tree (the working tree
# is left untouched), lints it, installs it, runs the installed daemon as the tickguard user on the
# embedded simulator, then purges it. Needs root, dpkg-buildpackage and lintian; exits 77 (CTest:
# skipped) without them. Prints the package size, installed size and build time.
#
#   TICKGUARD_DEB_JOBS   compile jobs (default 2: DEB_BUILD_OPTIONS=parallel=2)
#   TICKGUARD_DEB_KEEP=1 keep the work directory (the build tree and the .deb) for inspection
#   TICKGUARD_DEB_PREBUILT=DIR  skip the build: lint and install DIR's tickguard_*.changes and .deb
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jobs=${TICKGUARD_DEB_JOBS:-2}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: installing a package needs root" >&2
  exit 77
fi
for tool in dpkg-buildpackage lintian curl runuser; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/install-deps.sh)" >&2
    exit 77
  fi
done
if dpkg-query -W -f='${Status}' tickguard 2>/dev/null | grep -q 'ok installed'; then
  echo "FAIL: a tickguard package is already installed; this test would purge it" >&2
  exit 1
fi

work=$(mktemp -d /tmp/tickguard-deb.XXXXXX)
daemon_pid=""
installed=false
cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  if $installed; then
    dpkg --purge tickguard >/dev/null 2>&1 || true
  fi
  if [ "${TICKGUARD_DEB_KEEP:-0}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit $rc
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# 1. A copy of the source tree: the files git knows (tracked, or new and not ignored), else every
#    file but the build directories.
src=$work/tickguard-0.1.0
mkdir -p "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    (cd "$repo" && xargs -0 -r cp --parents -t "$src" 2>/dev/null || true)
else
  tar -C "$repo" --exclude='./build*' --exclude='./obj-*' --exclude='./.git' -cf - . | tar -C "$src" -xf -
fi
[ -f "$src/debian/control" ] || fail "no debian/control in the copied tree"

# 2. Build (offline: only installed Build-Depends). No -dbgsym package here: it is large to
#    compress and debhelper's own code; the shipped build makes one.
if [ -n "${TICKGUARD_DEB_PREBUILT:-}" ]; then
  cp "$TICKGUARD_DEB_PREBUILT"/tickguard*.{deb,changes,buildinfo} "$work"/
  build_seconds="n/a (prebuilt)"
else
  echo "building the package with DEB_BUILD_OPTIONS=parallel=$jobs ..."
  start=$(date +%s)
  if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$jobs noautodbgsym" \
        dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
    tail -50 "$work/build.log" >&2
    fail "dpkg-buildpackage failed (log above)"
  fi
  build_seconds="$(($(date +%s) - start)) s"
fi
deb=$(ls "$work"/tickguard_*.deb)
changes=$(ls "$work"/tickguard_*.changes)

# 3. Lint: no error, no warning (pedantic and info tags are shown, not fatal).
lintian -i --pedantic --display-info "$changes" 2>&1 | grep -v 'running with root privileges' >"$work/lintian.out" || true
echo "lintian --pedantic on $(basename "$changes"):"
if [ -s "$work/lintian.out" ]; then sed 's/^/  /' "$work/lintian.out"; else echo "  (nothing)"; fi
if grep -qE '^[EW]: ' "$work/lintian.out"; then
  fail "lintian reports errors or warnings"
fi

# 4. Install and inspect.
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i failed"; }
installed=true
/usr/bin/tickguard version
[ "$(tickguard check-config /etc/tickguard/tickguard.toml)" = OK ] || fail "shipped config is invalid"
conffiles=$(dpkg-query -W -f='${Conffiles}' tickguard)
for f in /etc/tickguard/tickguard.toml /etc/default/tickguard; do
  grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile: $conffiles"
done
getent passwd tickguard >/dev/null || fail "no tickguard user"
[ "$(stat -c %U:%a /var/lib/tickguard)" = tickguard:700 ] || fail "/var/lib/tickguard: $(stat -c %U:%a /var/lib/tickguard)"
man -l /usr/share/man/man1/tickguard.1.gz >/dev/null || fail "man page does not render"
for f in /usr/share/tickguard/alerting/prometheus_alerts.yml /usr/share/tickguard/alerting/alertmanager.yml \
  /usr/share/tickguard/dashboards/tickguard-overview.json \
  /usr/share/tickguard/dashboards/provisioning/dashboards/tickguard.yml /usr/share/doc/tickguard/runbook.md.gz; do
  [ -f "$f" ] || fail "missing $f"
done
# The installed unit, man page included (verify prints nothing when it is clean).
if command -v systemd-analyze >/dev/null; then
  bash "$repo/packaging/systemd/check-unit.sh" /lib/systemd/system/tickguard.service
fi

# 5. Run the installed daemon as the tickguard user on the embedded simulator (systemd is not PID 1
#    here), in its state directory, and scrape it.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u tickguard -- /usr/bin/tickguard run --web.listen-address "127.0.0.1:$port" \
  --storage.path /var/lib/tickguard >"$work/daemon.log" 2>&1 &
runner_pid=$!
# runuser stays as the daemon's parent (a PAM session): signal the daemon itself, not runuser.
for _ in $(seq 1 50); do
  daemon_pid=$(pgrep -P "$runner_pid" -x tickguard || true)
  [ -n "$daemon_pid" ] && break
  sleep 0.1
done
[ -n "$daemon_pid" ] || { cat "$work/daemon.log" >&2; fail "the daemon did not start"; }
[ "$(stat -c %U "/proc/$daemon_pid")" = tickguard ] || fail "the daemon does not run as tickguard"
metrics=""
for _ in $(seq 1 100); do
  metrics=$(curl -sf "http://127.0.0.1:$port/metrics" || true)
  grep -q '^tickguard_build_info' <<<"$metrics" && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; fail "the daemon exited"; }
  sleep 0.2
done
grep '^tickguard_build_info' <<<"$metrics" || { cat "$work/daemon.log" >&2; fail "no tickguard_build_info on /metrics"; }
kill -TERM "$daemon_pid"
rc=0
wait "$runner_pid" || rc=$?
daemon_pid=""
[ "$rc" -eq 0 ] || { cat "$work/daemon.log" >&2; fail "the daemon exited with $rc after SIGTERM"; }
grep -q 'msg=stopped' "$work/daemon.log" || { cat "$work/daemon.log" >&2; fail "no clean stop in the log"; }
[ -f /var/lib/tickguard/journal.db ] || fail "no journal in /var/lib/tickguard"
[ "$(stat -c %U /var/lib/tickguard/journal.db)" = tickguard ] || fail "journal not owned by tickguard"

installed_kib=$(dpkg-query -W -f='${Installed-Size}' tickguard)

# 6. Purge: binary, config and state gone.
dpkg --purge tickguard >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
installed=false
for path in /usr/bin/tickguard /etc/tickguard /var/lib/tickguard /etc/default/tickguard; do
  [ ! -e "$path" ] || fail "$path is still there after purge"
done

echo "package: $(basename "$deb"), $(($(stat -c %s "$deb") / 1024)) KiB; installed size ${installed_kib} KiB"
echo "build time (dpkg-buildpackage, parallel=$jobs): ${build_seconds}"
echo "PASS"
