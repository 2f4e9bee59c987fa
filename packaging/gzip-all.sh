#!/bin/sh
# gzip-all.sh SRC_DIR DEST_DIR SUFFIX: DEST_DIR/NAME.gz for every SRC_DIR/*SUFFIX, compressed as
# Debian policy wants (gzip -9n: best, no name or time stamp, so builds are reproducible).
set -eu
rm -rf "$2"
mkdir -p "$2"
for f in "$1"/*"$3"; do
  gzip -9nc "$f" > "$2/$(basename "$f").gz"
done
