#!/usr/bin/env bash
# Checks that no Catch2 test name holds ';': CMake's catch_discover_tests cuts a name there, so
# ctest would run a filter that matches nothing and count the case as passed without running it.
# Exit 1 naming each such test.
set -euo pipefail
cd "$(dirname "$0")/.."
found=$(python3 - <<'PY'
import glob, re
pat = re.compile(r'TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+),')
for path in sorted(glob.glob("tests/**/*.cc", recursive=True)):
    for m in pat.finditer(open(path, encoding="utf-8").read()):
        if ";" in m.group(1):
            print(f"{path}: {' '.join(m.group(1).split())}")
PY
)
if [ -n "$found" ]; then
  echo "$found"
  echo "test names above hold ';', which ctest cuts: use ',' instead"
  exit 1
fi
echo "test names: none holds ';'"
