#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and runs every test with ctest.
# Exits non-zero on any failure. CERTFORM_SANITIZE=ON (CI) builds and runs it all under
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/build.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_BUILD_DIR:-$root/build}"
if [ "${CERTFORM_SANITIZE:-OFF}" = ON ]; then
  # AddressSanitizer and UndefinedBehaviorSanitizer (scripts/build.sh): a report aborts the
  # process that made it, so its test fails.
  build="${CERTFORM_ASAN_BUILD_DIR:-$root/build-asan}"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# Static analysis with the repository's short list of checks (.clang-tidy), when installed.
if command -v clang-tidy >/dev/null 2>&1; then
  echo "clang-tidy: checking cmd/, engine/, providers/ and state/"
  findings=$(cd "$root" && find cmd engine providers state -name '*.cc' -print0 |
    xargs -0 -P "$(nproc)" -n 8 clang-tidy -p "$build" --quiet \
      --extra-arg=-Wno-unknown-warning-option 2>/dev/null |
    grep -E 'warning:|error:' || true)
  if [ -n "$findings" ]; then
    echo "$findings"
    echo "clang-tidy: findings above"
    exit 1
  fi
  echo "clang-tidy: clean"
fi
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" "$@"
