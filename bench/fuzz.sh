#!/usr/bin/env bash
# Runs every libFuzzer target for a given time each (default 300 s), growing a working corpus in
# build-fuzz/corpus/TARGET from the seeds in tests/fuzz/corpus/TARGET. Crashes go to
# build-fuzz/crashes/: fix them and add each input to the seeds as a regression case.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-300}"
"$root/scripts/fuzz-build.sh"
mkdir -p "$build/crashes"
for target in config pem state plan response; do
  mkdir -p "$build/corpus/$target"
  echo "== $target for ${seconds}s"
  "$build/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix="$build/crashes/${target}-" "$build/corpus/$target" \
    "$root/tests/fuzz/corpus/$target" 2>&1 | grep -E 'DONE|ERROR|SUMMARY' || true
done
