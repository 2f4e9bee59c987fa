#!/usr/bin/env bash
# Installs the Debian packages certform needs to build and test. Idempotent: does nothing when
# they are all present. Uses sudo only when not root.
# --build: only what a Release build and its packages need (scripts/build-release.sh, then
# `cpack -G DEB`): the setup action (action.yml) and the Dockerfile use it.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libssl-dev libcurl4-openssl-dev libtomlplusplus-dev libfmt-dev
  libboost-program-options-dev nlohmann-json3-dev libcpp-httplib-dev libpq-dev file
)
test_packages=(openssl curl catch2 postgresql python3 python3-yaml lintian jq ccache)
packages=("${build_packages[@]}")
if [ "${1:-}" != "--build" ]; then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
