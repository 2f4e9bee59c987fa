#!/usr/bin/env bash
# Configures and builds certform into build/ (or $CERTFORM_BUILD_DIR). Used by test.sh and demo.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_BUILD_DIR:-$root/build}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)"
