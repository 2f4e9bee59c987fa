#!/usr/bin/env bash
# Builds certform and its whole test suite with AddressSanitizer and UndefinedBehaviorSanitizer in
# a second build directory (build-asan/) and runs every test there. Any sanitizer report aborts the
# process that made it, so the test fails and this script exits non-zero.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_ASAN_BUILD_DIR:-$root/build-asan}"
"$root/scripts/install-deps.sh"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  # -g1: line tables are all a sanitizer report needs, and full debug information costs a fifth
  # of the build.
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
    -DCERTFORM_BENCH=OFF \
    -DCERTFORM_WERROR="${CERTFORM_WERROR:-OFF}" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
# The npm interop test exercises node, not certform's code, and the workflow test builds and installs
# a Release package of its own (its certform is that package's, not this build's): the main run
# already covers both.
ctest --output-on-failure --parallel "$(nproc)" -E '^interop:|^examples: the setup action' "$@"
