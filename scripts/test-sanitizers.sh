#!/usr/bin/env bash
# The README's test command (scripts/test.sh) with certform and its whole test suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/ (scripts/build.sh). Any
# sanitizer report aborts the process that made it, so the test fails and this script exits
# non-zero. CI runs the suite this way only (.ci/run).
set -euo pipefail
CERTFORM_SANITIZE=ON exec "$(dirname "$0")/test.sh" "$@"
