#!/usr/bin/env bash
# Configures and builds certform into build/ (or $CERTFORM_BUILD_DIR). Used by test.sh and demo.sh.
# CERTFORM_WERROR=ON (set by .ci/run) makes compiler warnings errors; users' builds leave it off.
# Arguments are passed to cmake when it configures a new build directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_BUILD_DIR:-$root/build}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCERTFORM_WERROR="${CERTFORM_WERROR:-OFF}" "$@" >/dev/null
fi
# CERTFORM_BUILD_TARGETS="a b" builds only those targets (demo.sh: the two programs).
targets=()
for t in ${CERTFORM_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
