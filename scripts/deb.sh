#!/bin/bash
# scripts/deb.sh [OUTDIR] — build the Debian package of this tree with
# dpkg-buildpackage in a scratch copy (nothing is written next to the
# source tree), check it with lintian, and leave wgmtu_VERSION_ARCH.deb in
# OUTDIR (default: build-deb/). Needs: scripts/deps.sh --deb.
#   sudo dpkg -i build-deb/wgmtu_*.deb
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build-deb}
V=$(cat "$ROOT/VERSION")
for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$t" >/dev/null || { echo "deb.sh: $t missing (scripts/deps.sh --deb)" >&2; exit 3; }
done
WORK=$(mktemp -d /tmp/wgmtu-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
SRC="$WORK/wgmtu-$V"
mkdir -p "$SRC" "$OUT"
# the tracked files (and new ones not ignored), without build output
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
		(cd "$ROOT" && xargs -0 cp --parents -t "$SRC" 2>/dev/null || true)
else
	tar -C "$ROOT" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$SRC" -xf -
fi
rm -rf "$SRC"/build "$SRC"/build-san "$SRC"/build-fuzz "$SRC"/build-deb
(cd "$SRC" && dpkg-buildpackage -us -uc -b -j"$(nproc 2>/dev/null || echo 2)") \
	>"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; echo "deb.sh: build failed" >&2; exit 1; }
deb=$(ls "$WORK"/wgmtu_"$V"_*.deb)
changes=$(ls "$WORK"/wgmtu_"$V"_*.changes)
cp "$deb" "$OUT/"
# lintian-clean: no error, no warning (info and pedantic tags are shown)
if ! lintian --fail-on error,warning "$changes" >"$WORK/lintian.log" 2>&1; then
	cat "$WORK/lintian.log" >&2
	echo "deb.sh: lintian found problems" >&2
	exit 1
fi
cat "$WORK/lintian.log"
echo "$OUT/$(basename "$deb")"
