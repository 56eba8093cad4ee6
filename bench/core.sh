#!/bin/bash
# bench/core.sh — cost of the WireGuard protocol core on one core:
# one full handshake (initiation + response, both sides, incl. X25519) and
# transport encrypt/decrypt per 1420-byte packet (in place, reused contexts);
# then what libcrypto charges per message by length (tests/tools/aead_sizes).
# Short by default (about a second); HANDSHAKES/PACKETS override.
#   bench/core.sh            uses build/ (make unit-bins first)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD/tests/tools/wgcore_bench"
[ -x "$BIN" ] || { echo "bench/core.sh: build first: make unit-bins" >&2; exit 3; }
echo "# $(uname -m), $(openssl version), $(date -u +%FT%TZ)"
taskset -c 0 "$BIN" "${HANDSHAKES:-300}" "${PACKETS:-200000}" 2>/dev/null ||
	"$BIN" "${HANDSHAKES:-300}" "${PACKETS:-200000}"
SIZES="$ROOT/$BUILD/tests/tools/aead_sizes"
if [ -x "$SIZES" ]; then
	taskset -c 0 "$SIZES" 2>/dev/null || "$SIZES"
fi
