#!/usr/bin/env bash
# Installs the Debian packages certform needs to build and test. Idempotent: does nothing when
# they are all present. Uses sudo only when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git openssl ca-certificates curl
  libssl-dev libcurl4-openssl-dev libtomlplusplus-dev libfmt-dev
  libboost-program-options-dev catch2 nlohmann-json3-dev libcpp-httplib-dev
  libpq-dev postgresql python3 python3-yaml lintian file
)

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
