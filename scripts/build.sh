#!/usr/bin/env bash
# Configures and builds certform into build/ (or $CERTFORM_BUILD_DIR). Used by test.sh and demo.sh.
# CERTFORM_WERROR=ON (set by .ci/run) makes compiler warnings errors; users' builds leave it off.
# CERTFORM_SANITIZE=ON (set by .ci/run and test-sanitizers.sh) builds with AddressSanitizer and
# UndefinedBehaviorSanitizer instead, into build-asan/ (or $CERTFORM_ASAN_BUILD_DIR): a Debug
# build with line tables only (-g1: all a sanitizer report needs; full debug information costs a
# fifth of the build).
# Arguments are passed to cmake when it configures a new build directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ "${CERTFORM_SANITIZE:-OFF}" = ON ]; then
  build="${CERTFORM_ASAN_BUILD_DIR:-$root/build-asan}"
  flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  config=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS="$flags"
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined")
else
  build="${CERTFORM_BUILD_DIR:-$root/build}"
  config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${generator[@]}" "${config[@]}" \
    -DCERTFORM_WERROR="${CERTFORM_WERROR:-OFF}" "$@" >/dev/null
fi
# CERTFORM_BUILD_TARGETS="a b" builds only those targets (demo.sh: the two programs).
targets=()
for t in ${CERTFORM_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
