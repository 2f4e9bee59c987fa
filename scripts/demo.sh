#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, makes the example's test certificates,
# starts the bundled CDN API emulator on a free 127.0.0.1 port, and runs certform on
# examples/basic against it: validate, plan (saved), apply of the saved plan, then plan again,
# which must say "No changes."; then the same for examples/products (one certificate uploaded
# once to CAS, bound on CDN, DCDN and an OSS bucket). Stops the emulator at the end, whatever
# happens.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
# Only the two programs the demo runs, not the test suite and the benchmarks.
CERTFORM_BUILD_TARGETS="certform certform-emulator" "$root/scripts/build.sh"
certform="$build/cmd/certform/certform"
emulator="$build/cmd/certform-emulator/certform-emulator"
example="$root/examples/basic"
work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$example/gen-certs.sh" >/dev/null

# The emulator knows the examples' CDN and DCDN domains, the OSS bucket and one AccessKey; certform
# reads the same key from the environment, as it would a real one.
export ALIBABA_CLOUD_ACCESS_KEY_ID=demo-key-id
export ALIBABA_CLOUD_ACCESS_KEY_SECRET="demo-secret-$RANDOM$RANDOM"
cat >"$work/emulator.json" <<JSON
{"accounts": [{"access_key_id": "$ALIBABA_CLOUD_ACCESS_KEY_ID",
               "access_key_secret": "$ALIBABA_CLOUD_ACCESS_KEY_SECRET", "user": "demo"}],
 "domains": ["www.example.com", "img.example.com", "static.example.com", ".example.org",
             "shop.example.net", "legacy.example.com"],
 "dcdn_domains": ["www.example.com"],
 "buckets": [{"name": "example-static", "region": "cn-hangzhou", "user": "demo",
              "verified_domains": ["static.example.com", "files.example.com"]}],
 "latency_ms": 30, "jitter_ms": 20}
JSON
"$emulator" --config "$work/emulator.json" --port 0 --port-file "$work/port" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { cat "$work/emulator.log"; echo "demo: the emulator did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$(cat "$work/port")"
state="$work/certform.state.json"

step() { echo; echo "== $*"; }
step "certform validate --config examples/basic"
"$certform" validate --config "$example"
step "certform plan --config examples/basic --out plan.cfp"
"$certform" plan --config "$example" --state "$state" --out "$work/plan.cfp"
step "certform apply plan.cfp   (emulator at $endpoint)"
"$certform" apply --config "$example" --state "$state" --endpoint "$endpoint" "$work/plan.cfp"
step "certform plan --config examples/basic   (must say: No changes.)"
"$certform" plan --config "$example" --state "$state" --detailed-exitcode
step "certform state list"
"$certform" state list --state "$state"

products="$root/examples/products"
state="$work/products.state.json"
step "certform plan --config examples/products --out products.cfp"
"$certform" plan --config "$products" --state "$state" --out "$work/products.cfp"
step "certform apply products.cfp"
"$certform" apply --config "$products" --state "$state" --endpoint "$endpoint" "$work/products.cfp"
step "certform drift --config examples/products   (must find no drift)"
"$certform" drift --config "$products" --state "$state" --endpoint "$endpoint" --detailed-exitcode
step "emulator counters"
curl -s "$endpoint/_emulator/counters"
echo
