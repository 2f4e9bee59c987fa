#!/usr/bin/env bash
# Builds the Debian packages from the Release build (scripts/build-release.sh), checks them with
# lintian (no error allowed; installed by scripts/install-deps.sh), installs certform's with
# dpkg -i, checks the installed certform (version, validate of examples/basic, stripped binary,
# compressed man pages, certform-config(5) included, copyright, completions), and removes it
# again, checking that nothing is left. Needs root (CI runs as root); elsewhere it says so and
# exits 0 without touching the system.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_RELEASE_BUILD_DIR:-$root/build-release}"
if [ "$(id -u)" -ne 0 ]; then
  echo "test-package: skipped (installing a package needs root)"
  exit 0
fi
"$root/scripts/build-release.sh" >/dev/null
(cd "$build" && rm -f ./*.deb ./*.ddeb && cpack -G DEB >/dev/null)
deb=$(ls "$build"/certform_*.deb)
emulator_deb=$(ls "$build"/certform-emulator_*.deb)
dbgsym=$(ls "$build"/certform-dbgsym_*.ddeb)
echo "test-package: built $(basename "$deb"), $(basename "$emulator_deb") and $(basename "$dbgsym")"
dpkg-deb --field "$deb" Package Version Depends Recommends
dpkg-deb --field "$deb" Recommends | grep -q bash-completion
# Debian policy, as lintian checks it: any error fails; warnings are shown.
lintian_out=$(lintian --tag-display-limit 0 "$deb" "$emulator_deb" 2>&1 | grep -v "running with root privileges" || true)
[ -z "$lintian_out" ] || echo "$lintian_out"
if grep -q '^E:' <<<"$lintian_out"; then
  echo "test-package: lintian reports errors" >&2
  exit 1
fi
echo "test-package: lintian: no errors"
if dpkg-query -W -f='${Status}' certform 2>/dev/null | grep -q 'install ok installed'; then
  echo "test-package: certform is already installed here; not touching it" >&2
  exit 1
fi
cleanup() { dpkg -r certform >/dev/null 2>&1 || true; }
trap cleanup EXIT
dpkg -i "$deb" >/dev/null
test -x /usr/bin/certform
/usr/bin/certform version
/usr/bin/certform version --json
"$root/examples/basic/gen-certs.sh" >/dev/null
/usr/bin/certform validate --config "$root/examples/basic"
test -f /usr/share/man/man1/certform.1.gz
test -f /usr/share/man/man1/certform-plan.1.gz
test -f /usr/share/man/man5/certform-config.5.gz
test -f /usr/share/doc/certform/copyright
test -f /usr/share/doc/certform/changelog.gz
if file -L /usr/bin/certform | grep -q 'not stripped'; then
  echo "test-package: /usr/bin/certform is not stripped" >&2
  exit 1
fi
test -f /usr/share/bash-completion/completions/certform
test -f /usr/share/zsh/vendor-completions/_certform
dpkg -r certform >/dev/null
trap - EXIT
if [ -e /usr/bin/certform ] || [ -e /usr/share/man/man1/certform.1.gz ]; then
  echo "test-package: files left behind after dpkg -r" >&2
  exit 1
fi
echo "test-package: installed, ran, removed cleanly"
