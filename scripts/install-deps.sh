#!/usr/bin/env bash
# Installs the Debian 12 packages tickguard needs to build and test. Idempotent: prints nothing and
# touches nothing when every package is already there. Uses apt only; never downloads anything else.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  prometheus-cpp-dev libcpp-httplib-dev libcurl4-openssl-dev libsimdjson-dev libtomlplusplus-dev
  libsystemd-dev libgtest-dev libgmock-dev libbenchmark-dev libboost-dev libssl-dev libcli11-dev
  libsqlite3-dev zlib1g-dev libbrotli-dev
  prometheus prometheus-alertmanager jsonnet chromium chromium-driver curl clang-format clang-tidy
  debhelper dpkg-dev lintian fakeroot
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# kubectl (its built-in kustomize renders packaging/kubernetes): any kubectl will do. Debian's
# kubernetes-client ships /usr/bin/kubectl too, so it is installed only where none exists (it cannot
# be installed over another vendor's kubectl package).
if ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root (or install them with apt-get)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
