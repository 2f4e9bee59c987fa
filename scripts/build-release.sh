#!/usr/bin/env bash
# The build users and packagers make: `cmake -DCMAKE_BUILD_TYPE=Release` with Debian's compiler,
# into build-release/ (or $CERTFORM_RELEASE_BUILD_DIR), of what is installed only (certform, the
# emulator, man pages, completions: no tests, no benchmarks), with debug information that the
# package strips into -dbgsym packages. Honours CMAKE_BUILD_PARALLEL_LEVEL (default: every core).
# CI runs it with CERTFORM_WERROR=ON so that -O3-only warnings are caught.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_RELEASE_BUILD_DIR:-$root/build-release}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG -g" -DCERTFORM_TESTS=OFF -DCERTFORM_BENCH=OFF \
  -DCERTFORM_WERROR="${CERTFORM_WERROR:-OFF}" >/dev/null
cmake --build "$build" --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
echo "release build: ok ($build)"
