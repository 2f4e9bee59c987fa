#!/usr/bin/env bash
# The build users and packagers make: `cmake -DCMAKE_BUILD_TYPE=Release` with Debian's compiler,
# into build-release/ (or $CERTFORM_RELEASE_BUILD_DIR). CI runs it with CERTFORM_WERROR=ON so
# that -O3-only warnings are caught.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_RELEASE_BUILD_DIR:-$root/build-release}"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCERTFORM_WERROR="${CERTFORM_WERROR:-OFF}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
echo "release build: ok ($build)"
