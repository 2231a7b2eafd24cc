#!/usr/bin/env bash
# End-to-end check of the container image, without any registry: builds a Debian 12 base image
# with debootstrap (cached), builds packaging/container/Containerfile on it with podman, runs the
# image and checks it: /-/healthy, tickguard_build_info on /metrics, the HEALTHCHECK, a non-root
# user, and a clean and prompt stop on SIGTERM. Prints timings and the image size.
#
# Usage, as root on Debian 12, from anywhere: packaging/container/build-and-run.sh
# Environment:
#   IMAGE               tag of the image built          (localhost/tickguard:dev)
#   BASE_IMAGE          base image, built if missing    (localhost/debian-minbase:bookworm)
#   PORT                host port of the run check      (19787, bound to 127.0.0.1)
#   DEBIAN_MIRROR       mirror for debootstrap          (http://deb.debian.org/debian)
#   CACHE_DIR           scratch and logs                (/var/tmp/tickguard-container)
#   TICKGUARD_REVISION  org.opencontainers.image.revision label, e.g. $(git rev-parse --short=12 HEAD)
#   CONTAINERS_CONF     podman's config; if unset, one is written to CACHE_DIR (runc, ulimits)
# Slow (an optimized build of the daemon inside the image: ~10 min on 2 cores); not part of .ci/run.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
image=${IMAGE:-localhost/tickguard:dev}
base_image=${BASE_IMAGE:-localhost/debian-minbase:bookworm}
port=${PORT:-19787}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache_dir=${CACHE_DIR:-/var/tmp/tickguard-container}
revision=${TICKGUARD_REVISION:-unknown}
container=tickguard-check-$$

say() { printf 'build-and-run: %s\n' "$*"; }
fail() { printf 'build-and-run: FAIL: %s\n' "$*" >&2; exit 1; }

timings=()
stage_start=0
begin() { stage_start=$SECONDS; say "$1"; }
took() { timings+=("$(printf '%-28s %4d s' "$1" $((SECONDS - stage_start)))"); }

mkdir -p "$cache_dir"

# --- tools ---------------------------------------------------------------------------------------
begin "checking tools (podman buildah runc debootstrap curl)"
missing=()
for p in podman buildah runc debootstrap curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "missing packages: ${missing[*]}; run as root or apt-get install them"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# runc, and ulimits podman can set without systemd: what `podman run` needs on this kind of host.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  export CONTAINERS_CONF=$cache_dir/containers.conf
  cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
fi
took "tools"

# --- base image ----------------------------------------------------------------------------------
begin "base image $base_image"
if podman image exists "$base_image"; then
  say "reusing $base_image"
else
  rootfs=$cache_dir/rootfs
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache_dir/debootstrap.log" 2>&1 ||
    { tail -20 "$cache_dir/debootstrap.log" >&2; fail "debootstrap failed (log: $cache_dir/debootstrap.log)"; }
  # The sources of debian:bookworm-slim: updates and security too, so images get the fixes.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
fi
took "base image"

# The builder and runtime stages run apt-get inside the build: fail early if the mirror is not
# reachable from a container.
begin "checking the Debian mirror from a container"
podman run --rm "$base_image" apt-get update -qq >"$cache_dir/network.log" 2>&1 ||
  { cat "$cache_dir/network.log" >&2; fail "apt-get update fails inside a container: no route to the mirror"; }
took "mirror check"

# --- image ---------------------------------------------------------------------------------------
begin "building $image (log: $cache_dir/build.log)"
# --format docker: the OCI image format drops HEALTHCHECK.
if ! podman build --format docker \
    --build-arg BASE_IMAGE="$base_image" \
    --build-arg REVISION="$revision" \
    --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -f "$repo_root/packaging/container/Containerfile" -t "$image" "$repo_root" >"$cache_dir/build.log" 2>&1; then
  tail -40 "$cache_dir/build.log" >&2
  fail "podman build failed (log: $cache_dir/build.log)"
fi
if grep -q '^builder: no debian/control' "$cache_dir/build.log"; then
  say "note: the build context has no debian/control; the image carries the release binary, not the .deb"
fi
took "image build"

# --- run and check -------------------------------------------------------------------------------
cleanup() { podman rm -f -t 0 "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# Without systemd (a container or chroot host), podman cannot schedule the periodic healthcheck and
# says so at run, stop and rm; `podman healthcheck run` below still works. Keep everything else.
quiet_systemd() { "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

begin "running $container on 127.0.0.1:$port"
quiet_systemd podman run -d --name "$container" -p "127.0.0.1:$port:9787" "$image" >/dev/null
healthy=0
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/-/healthy" 2>/dev/null; then
    healthy=1
    break
  fi
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || break
  sleep 1
done
if [ $healthy -ne 1 ]; then
  podman logs "$container" 2>&1 | tail -20 >&2
  fail "/-/healthy did not answer 200 within 60 s"
fi
took "start to /-/healthy"
say "ok: /-/healthy answers 200"

build_info=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" | grep '^tickguard_build_info{' || true)
[ -n "$build_info" ] || fail "no tickguard_build_info on /metrics"
say "ok: /metrics has $build_info"

podman healthcheck run "$container" >/dev/null || fail "podman healthcheck run: unhealthy"
say "ok: podman healthcheck run: healthy"

uid=$(podman exec "$container" id -u)
[ "$uid" != 0 ] || fail "the daemon runs as root"
say "ok: runs as uid $uid ($(podman exec "$container" id -un))"

begin "stopping with podman stop (SIGTERM, 10 s grace)"
stop_started=$(date +%s.%N)
quiet_systemd podman stop -t 10 "$container" >/dev/null
stop_seconds=$(awk -v a="$(date +%s.%N)" -v b="$stop_started" 'BEGIN { printf "%.2f", a - b }')
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
took "stop"
[ "$exit_code" = 0 ] || fail "exit code $exit_code after SIGTERM (137 means it was killed after the grace period)"
awk -v s="$stop_seconds" 'BEGIN { exit !(s < 10) }' || fail "stop took ${stop_seconds} s"
podman logs "$container" 2>&1 | grep -q 'msg="shutting down"' || fail "no \"shutting down\" log line"
say "ok: exited with code 0 on SIGTERM in $stop_seconds s"
quiet_systemd podman rm "$container" >/dev/null
trap - EXIT

# --- report --------------------------------------------------------------------------------------
size=$(podman image inspect --format '{{.Size}}' "$image")
say "timings:"
printf '  %s\n' "${timings[@]}"
printf '  %-28s %4d s\n' total "$SECONDS"
say "image $image: $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') ($(podman image inspect --format '{{.Id}}' "$image" | cut -c1-12))"
say "all checks passed"
