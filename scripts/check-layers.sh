#!/usr/bin/env bash
# Checks that engine/'s layers include only the layers before them, and that the engine includes
# nothing of providers/, state/ or cmd/ (docs/ARCHITECTURE.md, "Layers").
#   base/ → product/ → config/ → state/ → calls/ → plan/ → apply/
# Exit 1 naming each include that runs back up.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(base product config state calls plan apply)
rank() { local i; for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && echo "$i" && return; done; echo 99; }
bad=0
for dir in "${layers[@]}"; do
  mine=$(rank "$dir")
  for file in engine/"$dir"/*; do
    [[ $file == *.h || $file == *.cc ]] || continue
    while IFS= read -r line; do
      target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$line")
      case $target in
        engine/*/*)
          layer=$(cut -d/ -f2 <<<"$target")
          if (( $(rank "$layer") > mine )); then
            echo "$file: includes $target (layer $layer comes after $dir)"
            bad=1
          fi ;;
        providers/* | state/* | cmd/* | tests/*)
          echo "$file: includes $target (the engine knows nothing of $(cut -d/ -f1 <<<"$target")/)"
          bad=1 ;;
      esac
    done < <(grep -E '^#include "' "$file" || true)
  done
done
if (( bad )); then exit 1; fi
echo "engine layers: every include points down (${layers[*]})"
