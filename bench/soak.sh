#!/usr/bin/env bash
# Faults under load (issue #6): 1,000 changes over 2 accounts with 20% injected 5xx and dropped
# connections, latency spikes, and a SIGKILL with restart; prints time, retries and throttled
# answers, and checks that the state matches the emulator's own record. Not run by CI (a short
# version of the same program is a ctest test).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
"${CERTFORM_BUILD_DIR:-$root/build}/bench/soak" "${1:-1000}" "${2:-10}"
