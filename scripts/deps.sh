#!/bin/sh
# scripts/deps.sh — install every Debian package wgmtu's build, tests and
# demo need. Idempotent; silent when everything is already present.
#   scripts/deps.sh          install what is missing (needs root)
#   scripts/deps.sh --check  list what is missing, exit 1 if anything is
#   scripts/deps.sh --deb    also what building the Debian package needs
#                            (dpkg-buildpackage, debhelper, lintian)
set -eu

PKGS="
build-essential pkg-config make gcc clang
libssl-dev libpcap-dev libmnl-dev libcmocka-dev
iproute2 nftables ethtool iputils-ping iputils-tracepath procps psmisc
wireguard-go wireguard-tools
iperf3 curl tcpdump python3 coreutils util-linux bc man-db groff-base
librsvg2-bin
linux-perf
"

DEB_PKGS="dpkg-dev debhelper fakeroot lintian"
if [ "${1:-}" = "--deb" ]; then
	PKGS="$PKGS $DEB_PKGS"
	shift
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ "${1:-}" = "--check" ]; then
	[ -z "$missing" ] && exit 0
	echo "missing:$missing"
	exit 1
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root (or: sudo $0) to install them" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends $missing >/tmp/wgmtu-deps.log 2>&1; then
	apt-get update -q >>/tmp/wgmtu-deps.log 2>&1
	apt-get install -y -q --no-install-recommends $missing >>/tmp/wgmtu-deps.log 2>&1 || {
		echo "deps.sh: apt-get failed; see /tmp/wgmtu-deps.log" >&2
		tail -n 20 /tmp/wgmtu-deps.log >&2
		exit 1
	}
fi
echo "deps.sh: done" >&2
