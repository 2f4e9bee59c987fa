#!/usr/bin/env bash
# Makes the example's test PKI in ./certs (next to this script): a root CA, an intermediate CA,
# and two leaf certificates with their keys. Keys are generated here and never committed.
# Usage: gen-certs.sh [DAYS]   (leaf validity, default 90)
set -euo pipefail
cd "$(dirname "$0")"
days="${1:-90}"
mkdir -p certs
cd certs
umask 077


openssl ecparam -name prime256v1 -genkey -noout -out root.key 2>/dev/null
openssl req -x509 -new -key root.key -sha256 -days 3650 -subj "/O=certform example/CN=Example Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root.pem

openssl ecparam -name prime256v1 -genkey -noout -out intermediate.key 2>/dev/null
openssl req -new -key intermediate.key -subj "/O=certform example/CN=Example Intermediate CA" \
  -out intermediate.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' \
  > intermediate.ext
openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 \
  -sha256 -extfile intermediate.ext -out intermediate.pem 2>/dev/null

leaf() {  # name keytype cn san...
  local name="$1" keytype="$2" cn="$3"; shift 3
  if [ "$keytype" = rsa ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null
  else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
  fi
  openssl req -new -key "$name.key" -subj "/O=certform example/CN=$cn" -out "$name.csr"
  local sans; sans=$(printf 'DNS:%s,' "$@"); sans=${sans%,}
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
    "$sans" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA intermediate.pem -CAkey intermediate.key -CAcreateserial \
    -days "$days" -sha256 -extfile "$name.ext" -out "$name.leaf.pem" 2>/dev/null
  # The full chain, leaf first. The root is appended because it is private (no trust store
  # holds it): certform checks that a chain leads to a root it holds or the machine trusts.
  # A public CA's fullchain.pem (leaf and intermediates) needs no root.
  cat "$name.leaf.pem" intermediate.pem root.pem > "$name.pem"
  rm -f "$name.csr" "$name.ext" "$name.leaf.pem"
}

leaf wildcard ec "*.example.com" "*.example.com" "example.com" "*.example.org"
leaf shop rsa "shop.example.net" "shop.example.net"
rm -f intermediate.csr intermediate.ext ./*.srl
echo "certificates written to $(pwd)"
