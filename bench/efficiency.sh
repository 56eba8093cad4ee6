#!/bin/bash
# bench/efficiency.sh — CPU seconds per GB moved through the tunnel, for
# wgmtud and wireguard-go in the same run, against the AEAD floor.
#
# Two namespaces on a veth link, a daemon pair of each kind in turn, one
# iperf3 TCP stream a -> b for SECONDS. The CPU of both daemons (utime +
# stime from /proc/PID/stat, read before and after) is divided by the
# bytes iperf3 received. The floor is what OpenSSL itself needs to seal and
# open that many bytes in 1420-byte packets (`openssl speed -evp
# chacha20-poly1305 -bytes 1420`: one encryption + one decryption per byte),
# and, as a second floor, our own transport API in a tight loop
# (tests/tools/wgcore_bench, one core).
#
#   sudo bench/efficiency.sh [SECONDS] [ROUNDS]
#   OFFLOADS=off ...   veth offloads off, as in the tests (default: on)
#   WGMTUD_ENV="WGMTUD_THREADS=1" ...  extra environment for wgmtud
#
# Not a test: it prints numbers, it asserts nothing. ROUNDS alternates the
# two daemons and prints the median of each (noisy shared machines).
set -u
T=${1:-10}
ROUNDS=${2:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/netns/lib.sh"
. "$HERE/../tests/netns/lib_daemon.sh"
. "$HERE/lib_bench.sh"
dmn_init

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# one measurement: prints "CPU_S_PER_GB MBIT_S RETRANSMITS CPU_A CPU_B" (CPU in s)
measure() {
	local kind=$1 tag=$2; shift 2
	local a0 b0 a1 b1 res
	bench_pair "$kind" "$tag" "$@"
	sleep 1
	a0=$(bench_cpu "$BP_PIDA"); b0=$(bench_cpu "$BP_PIDB")
	res=$(bench_iperf "$T")
	a1=$(bench_cpu "$BP_PIDA"); b1=$(bench_cpu "$BP_PIDB")
	bench_stop
	# shellcheck disable=SC2086
	set -- $res
	awk -v hz="$BENCH_HZ" -v da=$((a1 - a0)) -v db=$((b1 - b0)) -v bps="$1" -v bytes="$2" \
		-v rt="$3" 'BEGIN {
		cpu = (da + db) / hz
		printf "%.3f %.0f %d %.2f %.2f\n", (bytes > 0 ? cpu / (bytes / 1e9) : 0), bps / 1e6, rt, da / hz, db / hz }'
}

echo "# $(uname -r), $(nproc) CPUs, $(openssl version | cut -d' ' -f1-2), veth offloads ${OFFLOADS:-on}, $T s x $ROUNDS"
bench_hosts
: >"$LAB_TMP/eff.m"; : >"$LAB_TMP/eff.g"
for ((r = 0; r < ROUNDS; r++)); do
	# shellcheck disable=SC2086
	measure wgmtud "m$r" ${WGMTUD_ENV:-} | tee -a "$LAB_TMP/eff.m" | sed 's/^/# wgmtud:       cpu-s\/GB Mbit\/s retrans cpu-a cpu-b = /' >&2
	measure wggo "g$r" | tee -a "$LAB_TMP/eff.g" | sed 's/^/# wireguard-go: cpu-s\/GB Mbit\/s retrans cpu-a cpu-b = /' >&2
done
M=$(cut -d' ' -f1 "$LAB_TMP/eff.m" | median)
G=$(cut -d' ' -f1 "$LAB_TMP/eff.g" | median)
MR=$(cut -d' ' -f2 "$LAB_TMP/eff.m" | median)
GR=$(cut -d' ' -f2 "$LAB_TMP/eff.g" | median)

# floor 1: OpenSSL's own loop, bytes/s at 1420-byte chunks; seal + open
OSSL=$(openssl speed -evp chacha20-poly1305 -bytes 1420 -seconds 3 -mr 2>/dev/null |
	awk -F: '/^\+F:/ { print $4 }')
FLOOR=$(awk -v r="${OSSL:-0}" 'BEGIN { if (r > 0) printf "%.3f", 2 * 1e9 / r; else print 0 }')
# floor 2: our transport API (wg_transport_encrypt/decrypt, reused contexts)
CORE="$LAB_BUILD/tests/tools/wgcore_bench"
OURS=0
if [ -x "$CORE" ]; then
	OURS=$("$CORE" 1 200000 2>/dev/null | awk '
		/^encrypt/ { e = $4 } /^decrypt/ { d = $4 }
		END { if (e > 0 && d > 0) printf "%.3f", (e + d) / 1420 }')
fi

echo "wgmtud:          $M CPU-s/GB ($MR Mbit/s)"
echo "wireguard-go:    $G CPU-s/GB ($GR Mbit/s)"
echo "AEAD floor (openssl speed, seal+open at 1420 B): $FLOOR CPU-s/GB"
echo "our transport API loop (seal+open at 1420 B):    $OURS CPU-s/GB"
echo "ratio wgmtud / floor:        $(bench_ratio "$M" "$FLOOR")"
echo "ratio wireguard-go / floor:  $(bench_ratio "$G" "$FLOOR")"
echo "ratio wireguard-go / wgmtud: $(bench_ratio "$G" "$M")"
