#!/usr/bin/env bash
# CI's fuzzing smoke run: each libFuzzer target over its seed corpus (tests/fuzz/corpus/TARGET),
# then ${1:-20} seconds of mutation. Any crash, leak or sanitizer report fails the run; the input
# is kept in build-fuzz/crashes/ to be added as a regression seed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-20}"
"$root/scripts/fuzz-build.sh"
mkdir -p "$build/crashes"
for target in config pem state plan response; do
  work="$(mktemp -d)"
  cp "$root/tests/fuzz/corpus/$target/"* "$work/"
  echo "fuzz: $target (${seconds}s)"
  "$build/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix="$build/crashes/${target}-" -print_final_stats=0 "$work" 2>"$work.log" \
    || { tail -40 "$work.log"; echo "fuzz: $target FAILED"; exit 1; }
  grep -E '^(#[0-9]+).*DONE|Done [0-9]+ runs' "$work.log" | tail -1 || true
  rm -rf "$work" "$work.log"
done
echo "fuzz: 5 passed, 0 failed"
