#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, makes the example's test certificates and
# runs certform on examples/basic: validate, then plan (saved to a plan file).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
certform="$build/cmd/certform/certform"
example="$root/examples/basic"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$example/gen-certs.sh" >/dev/null
echo "== certform validate --config examples/basic"
"$certform" validate --config "$example"
echo
echo "== certform plan --config examples/basic --out plan.cfp"
"$certform" plan --config "$example" --state "$work/certform.state.json" --out "$work/plan.cfp"
