#!/usr/bin/env bash
# Builds the Debian packages from the Release build (scripts/build-release.sh), installs certform's
# with dpkg -i, checks the installed certform (version, validate of examples/basic, man page,
# completions), and removes it again, checking that nothing is left. Needs root (CI runs as root);
# elsewhere it says so and exits 0 without touching the system.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CERTFORM_RELEASE_BUILD_DIR:-$root/build-release}"
if [ "$(id -u)" -ne 0 ]; then
  echo "test-package: skipped (installing a package needs root)"
  exit 0
fi
"$root/scripts/build-release.sh" >/dev/null
(cd "$build" && rm -f ./*.deb && cpack -G DEB >/dev/null)
deb=$(ls "$build"/certform_*.deb)
emulator_deb=$(ls "$build"/certform-emulator_*.deb)
echo "test-package: built $(basename "$deb") and $(basename "$emulator_deb")"
dpkg-deb --field "$deb" Package Version Depends
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
test -f /usr/share/man/man1/certform.1
test -f /usr/share/man/man1/certform-plan.1
test -f /usr/share/bash-completion/completions/certform
test -f /usr/share/zsh/vendor-completions/_certform
dpkg -r certform >/dev/null
trap - EXIT
if [ -e /usr/bin/certform ] || [ -e /usr/share/man/man1/certform.1 ]; then
  echo "test-package: files left behind after dpkg -r" >&2
  exit 1
fi
echo "test-package: installed, ran, removed cleanly"
