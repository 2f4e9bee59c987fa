#!/usr/bin/env bash
# Interoperability test: Alibaba's official Node.js clients, installed from npm at test time,
# against certform-emulator: @alicloud/pop-core (signature V1) and the current generated SDK
# @alicloud/cdn20180510 on @alicloud/openapi-core (signature V3), and ali-oss (OSS signature V1)
# against its OSS custom domains. Exits 77 (ctest: skipped, never passed) when node or the
# npm registry cannot be reached.
# Usage: pop_core_test.sh PATH/TO/certform-emulator
set -euo pipefail
emulator="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED: node/npm not installed"; exit 77
fi
cache="${CERTFORM_INTEROP_CACHE:-${TMPDIR:-/tmp}/certform-interop-npm}"
mkdir -p "$cache"
if [ ! -d "$cache/node_modules/@alicloud/pop-core" ] || [ ! -d "$cache/node_modules/@alicloud/cdn20180510" ] ||
   [ ! -d "$cache/node_modules/ali-oss" ]; then
  if ! timeout 240 npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
      @alicloud/pop-core@1.8.0 @alicloud/cdn20180510@5.0.0 @alicloud/openapi-core@1 ali-oss@6.23.0 \
      >"$work/npm.log" 2>&1; then
    cat "$work/npm.log"
    echo "SKIPPED: could not install Alibaba's Node SDKs from the npm registry"; exit 77
  fi
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=www.example.com" -addext "subjectAltName=DNS:www.example.com" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cert_json="$(node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(process.argv[1], "utf8")))' "$work/cert.pem")"
cat >"$work/emulator.json" <<JSON
{"accounts": [{"access_key_id": "testid", "access_key_secret": "testsecret", "user": "u1"}],
 "domains": ["www.example.com"], "dcdn_domains": ["www.example.com"],
 "buckets": [{"name": "static-site", "region": "cn-hangzhou", "user": "u1",
              "verified_domains": ["static.example.com"]}],
 "cas_certificates": [{"id": 8089870, "name": "interop-cas", "user": "u1", "pem": $cert_json}],
 "roles": [{"arn": "acs:ram::1234:role/interop", "user": "u1", "trusted_keys": ["testid"]}]}
JSON
"$emulator" --config "$work/emulator.json" --port 0 --port-file "$work/port" 2>"$work/emulator.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { cat "$work/emulator.log"; echo "emulator did not start"; exit 1; }

NODE_PATH="$cache/node_modules" node "$here/pop_core_client.js" "$(cat "$work/port")" \
  "$work/cert.pem" "$work/key.pem"
NODE_PATH="$cache/node_modules" node "$here/cdn_sdk_client.js" "$(cat "$work/port")"
NODE_PATH="$cache/node_modules" node "$here/oss_sdk_client.js" "$(cat "$work/port")" 8089870

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] || { echo "emulator exited $rc on SIGTERM"; exit 1; }
echo "ok - the emulator stopped cleanly on SIGTERM"
