#!/bin/bash
# bench/pmtu-packet.sh — ns per call of the per-packet pmtu helpers
# (MSS clamp, probe-message test, ICMP error build, fragmentation).
#   bench/pmtu-packet.sh [MILLISECONDS per case]   (default 200)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s -j2 "$BUILD/tests/tools/pmtu_pktbench" >/dev/null
exec "$BUILD/tests/tools/pmtu_pktbench" "${1:-200}"
